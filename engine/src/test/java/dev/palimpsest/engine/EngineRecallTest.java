package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.prompt.AnthropicFormat;
import dev.palimpsest.engine.prompt.AnthropicPrompt;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.recall.lucene.LuceneRecall;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.store.file.FileConversationStore;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine with a recall: the context for a question, search, and delete. */
class EngineRecallTest {
    @TempDir
    Path dir;
    private ConversationStore store;
    private LuceneRecall recall;
    private ConversationEngine engine;

    @BeforeEach
    void open() {
        store = FileConversationStore.open(dir);
        recall = LuceneRecall.open(dir.resolve("recall"), store);
        engine = ConversationEngine.builder(store).recall(recall)
                .policy(new CompactionPolicy(10, 4, 1_000_000)).build();
    }

    @AfterEach
    void close() {
        engine.close();
        recall.close();
        store.close();
    }

    /** 60 rounds; round 7 holds the fact, in a tool result; round 30 a distractor. */
    private void converse() {
        for (int r = 1; r <= 60; r++) {
            if (r == 7) {
                engine.append("c", List.of(Message.user("which port does staging use?"),
                        Message.assistant("", List.of(new ToolCall("call-7", "read_config",
                                "{\"env\":\"staging\"}"))),
                        Message.tool("call-7", "read_config", "staging database port = 5433"),
                        Message.assistant("Staging listens on 5433.")), Expectation.none());
            } else if (r == 30) {
                engine.appendRound("c", "the staging rollout went fine", "good to hear");
            } else {
                engine.appendRound("c", "small talk number " + r, "reply number " + r);
            }
        }
    }

    @Test
    void aQuestionRecallsTheWholeCompactedRoundThatAnswersIt() {
        converse();
        assertTrue(engine.state("c").orElseThrow().counters().compactedRounds() >= 50);
        PromptContext context = engine.context("c", "what is the staging database port", 2_000);
        List<Long> recalled = context.recalledRounds().stream().map(Round::seq).toList();
        assertTrue(recalled.contains(7L), "recalled " + recalled);
        Round seven = context.recalledRounds().get(recalled.indexOf(7L));
        assertEquals(4, seven.messages().size(), "the whole round: call and result together");
        assertTrue(context.recentRounds().stream().noneMatch(r -> r.seq() == 7));

        String text = context.asText();
        assertTrue(text.contains("[recalled round 7, "), text);
        assertTrue(text.contains("tool read_config (call-7): staging database port = 5433"));
        assertTrue(text.indexOf("[recalled round 7") < text.indexOf("[round 57]"),
                "memory before the live dialogue");
    }

    @Test
    void theOpenAiRenderingGivesRecalledRoundsAsMemoryNotAsLiveTurns() {
        converse();
        PromptContext context = engine.context("c", "staging database port", 2_000);
        List<OpenAiMessage> messages = context.messages();
        OpenAiMessage memory = messages.stream()
                .filter(m -> m.content().orElse("").startsWith(PromptContext.RECALLED_HEADING))
                .findFirst().orElseThrow();
        assertEquals("system", memory.role());
        assertTrue(memory.content().orElseThrow().contains("5433"));
        assertTrue(messages.stream().noneMatch(m -> m.toolCalls().stream()
                        .anyMatch(c -> c.id().equals("call-7"))),
                "no recalled tool call reaches the API as a live one");
        assertTrue(messages.stream().noneMatch(m -> m.toolCallId().filter("call-7"::equals)
                .isPresent()));
        int memoryAt = messages.indexOf(memory);
        for (int i = memoryAt + 1; i < messages.size(); i++) {
            assertFalse(messages.get(i).role().equals("system"), "the dialogue follows memory");
        }
        AnthropicPrompt anthropic = context.render(AnthropicFormat.INSTANCE);
        assertTrue(anthropic.system().contains(PromptContext.RECALLED_HEADING));
    }

    @Test
    void theBudgetIsKeptAndTheNewestRoundAlwaysStays() {
        converse();
        for (long budget : new long[] {1, 40, 200, 600, 5_000}) {
            PromptContext context = engine.context("c", "staging database port", budget);
            List<Round> recent = context.recentRounds();
            assertEquals(60, recent.get(recent.size() - 1).seq(), "budget " + budget);
            long used = context.compressedContext().isEmpty() ? 0
                    : engine.tokens(Message.system(context.compressedContext()))
                    - ConversationEngine.MESSAGE_OVERHEAD_TOKENS;
            for (Round r : context.recalledRounds()) {
                used += ContextFit.tokens(r, -1) + ContextFit.RECALLED_MARK_TOKENS;
            }
            for (Round r : recent) {
                used += ContextFit.tokens(r, -1);
            }
            long newest = ContextFit.tokens(recent.get(recent.size() - 1), -1);
            assertTrue(used <= Math.max(budget, newest), "used " + used + " of " + budget);
        }
    }

    @Test
    void withoutAQuestionOrARecallNothingIsRecalled() {
        converse();
        assertTrue(engine.context("c", "  ", 5_000).recalledRounds().isEmpty());
        try (ConversationEngine bare = ConversationEngine.builder(store).build()) {
            assertTrue(bare.context("c", "staging database port", 5_000).recalledRounds()
                    .isEmpty());
            PalimpsestException e = assertThrows(PalimpsestException.class,
                    () -> bare.search(RecallQuery.in("c", "staging", 5)));
            assertEquals(FailureKind.INVALID_INPUT, e.kind());
        }
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> engine.context("c", "x", 0));
        assertEquals(FailureKind.INVALID_INPUT, e.kind());
        assertTrue(engine.context("never", "x", 100).recentRounds().isEmpty());
    }

    @Test
    void deleteErasesFromTheStoreAndTheRecall() {
        converse();
        assertFalse(engine.search(RecallQuery.in("c", "5433", 5)).isEmpty());
        assertTrue(engine.delete("c"));
        assertTrue(engine.search(RecallQuery.everywhere("5433", 5)).isEmpty());
        assertTrue(store.load("c").isEmpty());
        assertFalse(engine.delete("c"));
    }

    @Test
    void anAppendIsFoundAtOnce() {
        engine.appendRound("c", "the codename is bluefinch", "noted");
        assertTrue(recall.indexes());
        assertEquals(1, engine.search(RecallQuery.in("c", "bluefinch", 5)).size());
    }
}
