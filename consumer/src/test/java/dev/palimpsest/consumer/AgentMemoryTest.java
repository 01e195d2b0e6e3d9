package dev.palimpsest.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.prompt.AnthropicPrompt;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.engine.prompt.PromptFormat;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine and the file store embedded as a daemon embeds them, through the exported API only:
 * turns with tool calls and their results, the prompt for the next call, the history, background
 * compaction, and a restart of the daemon in the middle of a tool call, all on a real store
 * under a temporary directory.
 */
class AgentMemoryTest {
    /** Compacts once more than 4 rounds are recent, down to 2; tokens never decide. */
    private static final CompactionPolicy SMALL_WINDOW = new CompactionPolicy(4, 2, 1_000_000);
    private static final String CONV = "agent-7";
    private static final String SYSTEM_PROMPT = "You are a travel agent. Check the weather first.";

    @TempDir
    Path root;

    /** The tool call of turn {@code i}; its arguments are odd JSON that must survive verbatim. */
    private static ToolCall call(int i) {
        return new ToolCall("call-" + i, "weather", "{ \"city\": \"Z\u00fcrich\", \"day\": " + i
                + " }");
    }

    /** One agent turn as a daemon records it: each message once it exists, in its own append. */
    private static void toolTurn(AgentMemory memory, int i) {
        memory.append(CONV, Message.user("question " + i));
        memory.append(CONV, Message.assistant("", List.of(call(i))));
        memory.append(CONV, Message.tool("call-" + i, "weather", "sunny on day " + i));
        memory.append(CONV, Message.assistant("answer " + i));
    }

    /** Checks that round {@code i} of the history holds turn {@code i} exactly as recorded. */
    private static void assertToolTurn(Round round, int i) {
        assertEquals(i, round.seq());
        List<Message> messages = round.messages().stream().map(StoredMessage::message)
                .filter(m -> m.role() != Role.SYSTEM).collect(Collectors.toList());
        assertEquals(List.of(Message.user("question " + i),
                Message.assistant("", List.of(call(i))),
                Message.tool("call-" + i, "weather", "sunny on day " + i),
                Message.assistant("answer " + i)), messages, "round " + i);
    }

    private static OpenAiMessage system(String content) {
        return new OpenAiMessage("system", Optional.of(content), List.of(), Optional.empty());
    }

    @Test
    void aRestartedDaemonCarriesOnMidToolCallWithTheCompressedContext() {
        List<CompactionOutcome> outcomes = new CopyOnWriteArrayList<>();
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW,
                (convId, outcome) -> outcomes.add(outcome))) {
            memory.append(CONV, Message.system(SYSTEM_PROMPT));
            for (int i = 1; i <= 8; i++) {
                toolTurn(memory, i);
            }
            // Turn 9: the model calls a tool, and the daemon stops before the tool answers.
            memory.append(CONV, Message.user("question 9"));
            memory.append(CONV, Message.assistant("", List.of(call(9))));
        }
        // close() waited for the background compactions.
        assertTrue(outcomes.stream().anyMatch(o -> o.status() == CompactionOutcome.Status.COMMITTED),
                outcomes::toString);
        assertTrue(outcomes.stream().noneMatch(o -> o.status() == CompactionOutcome.Status.FAILED),
                outcomes::toString);

        try (AgentMemory restarted = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            List<OpenAiMessage> prompt = restarted.prompt(CONV);
            assertEquals(system(SYSTEM_PROMPT), prompt.get(0), "the pinned system prompt leads");
            OpenAiMessage context = prompt.get(1);
            assertEquals("system", context.role(), "then the compressed context");
            assertTrue(context.content().orElseThrow().contains("question 1"), context::toString);
            // The folded rounds' facts, up to the newest folded round ("sunny on day N" is one
            // fact whose value changes each day, so the prompt shows only its newest value,
            // which a recent round holds).
            assertTrue(context.content().orElseThrow().contains("answer 6"), context::toString);
            assertFalse(context.content().orElseThrow().contains("sunny on day 5"),
                    context::toString);
            assertTrue(prompt.size() < 2 + 4 * 8 + 2, "compaction shortened the prompt");
            // The pending call ends the prompt as it was recorded: the next call's material.
            assertEquals(new OpenAiMessage("assistant", Optional.empty(), List.of(call(9)),
                    Optional.empty()), prompt.get(prompt.size() - 1));

            // The tool answers after the restart, and the turn ends.
            List<StoredMessage> result = restarted.append(CONV,
                    Message.tool("call-9", "weather", "sunny on day 9"));
            assertEquals(9, result.get(0).roundSeq(), "the result joins the turn it answers");
            restarted.append(CONV, Message.assistant("answer 9"));
            prompt = restarted.prompt(CONV);
            assertEquals(new OpenAiMessage("tool", Optional.of("sunny on day 9"), List.of(),
                    Optional.of("call-9")), prompt.get(prompt.size() - 2));
            assertEquals(new OpenAiMessage("assistant", Optional.of("answer 9"), List.of(),
                    Optional.empty()), prompt.get(prompt.size() - 1));

            // Another API's rendering of the same material.
            AnthropicPrompt anthropic = restarted.prompt(CONV, PromptFormat.anthropic());
            assertTrue(anthropic.system().startsWith(SYSTEM_PROMPT + "\n\n"), anthropic::system);
            assertTrue(anthropic.system().contains("question 1"), anthropic::system);

            // Every round is in the history, compacted or not, with its tool calls intact.
            List<Round> history = restarted.history(CONV);
            assertEquals(9, history.size());
            assertEquals(Message.system(SYSTEM_PROMPT), history.get(0).messages().get(0).message());
            for (int i = 1; i <= 9; i++) {
                assertToolTurn(history.get(i - 1), i);
            }

            // 1 system message and 9 turns of 4 messages came before this one.
            StoredMessage next = restarted.append(CONV, Message.user("question 10")).get(0);
            assertEquals(10, next.roundSeq());
            assertEquals(1 + 9 * 4 + 1, next.seq());
        }
    }

    @Test
    void compactionFoldsOldRoundsOutOfThePromptButNotOutOfTheHistory() throws Exception {
        BlockingQueue<CompactionOutcome> outcomes = new LinkedBlockingQueue<>();
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW,
                (convId, outcome) -> outcomes.add(outcome))) {
            for (int i = 1; i <= 5; i++) {
                toolTurn(memory, i);
            }
            // The first message of turn 5 made 5 rounds recent: rounds 1 to 3 are folded, and
            // nothing after that exceeds the window again.
            CompactionOutcome outcome = outcomes.poll(60, TimeUnit.SECONDS);
            assertNotNull(outcome, "no compaction was reported");
            assertEquals(CompactionOutcome.committed(3), outcome);

            List<OpenAiMessage> prompt = memory.prompt(CONV);
            assertEquals(1 + 2 * 4, prompt.size(), "the context, then turns 4 and 5: " + prompt);
            String context = prompt.get(0).content().orElseThrow();
            for (int i = 1; i <= 3; i++) {
                assertTrue(context.contains("question " + i), context);
            }
            assertFalse(context.contains("question 4"), context);
            assertEquals(new OpenAiMessage("user", Optional.of("question 4"), List.of(),
                    Optional.empty()), prompt.get(1));
            assertEquals(new OpenAiMessage("assistant", Optional.empty(), List.of(call(4)),
                    Optional.empty()), prompt.get(2));

            List<Round> history = memory.history(CONV);
            assertEquals(5, history.size());
            for (int i = 1; i <= 5; i++) {
                assertToolTurn(history.get(i - 1), i);
            }
        }
        assertTrue(outcomes.isEmpty(), "a second compaction was reported: " + outcomes);
    }

    @Test
    void anAppendRetriedAfterARestartIsNotStoredTwice() {
        Message user = Message.user("book a table for two").withId("turn-1/user");
        Message calls = Message.assistant("", List.of(call(1))).withId("turn-1/assistant");
        List<StoredMessage> first;
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            first = memory.append(CONV, user, calls);
        }
        // The daemon never saw its acknowledgement, so it appends the same messages again.
        try (AgentMemory restarted = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            assertEquals(first, restarted.append(CONV, user, calls));
            List<Round> history = restarted.history(CONV);
            assertEquals(1, history.size());
            assertEquals(first, history.get(0).messages());

            // An id names one message: reusing it for other content is refused.
            PalimpsestException conflict = assertThrows(PalimpsestException.class,
                    () -> restarted.append(CONV, Message.user("book a table for three")
                            .withId("turn-1/user")));
            assertEquals(FailureKind.CONFLICT, conflict.kind());
        }
    }

    @Test
    void messagesOutOfPlaceAreRefusedAndNothingOfTheirAppendIsStored() {
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            PalimpsestException refused = assertThrows(PalimpsestException.class,
                    () -> memory.append(CONV, Message.user("question 1"),
                            Message.tool("call-404", "weather", "a result nobody asked for")));
            assertEquals(FailureKind.INVALID_INPUT, refused.kind());
            assertEquals(List.of(), memory.history(CONV));
            assertEquals(List.of(), memory.prompt(CONV));
        }
    }

    @Test
    void aNewConversationHasAnEmptyPromptAndHistory() {
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            assertEquals(List.of(), memory.prompt("new"));
            assertEquals(new AnthropicPrompt("", List.of()),
                    memory.prompt("new", PromptFormat.anthropic()));
            assertEquals(List.of(), memory.history("new"));
        }
    }

    @Test
    void aMissingRootIsRefusedRatherThanCreated() {
        Path missing = root.resolve("not-mounted");
        PalimpsestException refused = assertThrows(PalimpsestException.class,
                () -> new AgentMemory(missing, SMALL_WINDOW, (c, o) -> { }));
        assertEquals(FailureKind.NOT_FOUND, refused.kind());
        assertFalse(Files.exists(missing));
    }

    @Test
    void aClosedMemoryRefusesAppends() {
        AgentMemory memory = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { });
        memory.close();
        assertThrows(IllegalStateException.class,
                () -> memory.append(CONV, Message.user("too late")));
    }
}
