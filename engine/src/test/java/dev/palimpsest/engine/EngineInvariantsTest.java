package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Generated agent dialogues (system prompts, parallel tool calls, abandoned calls, batches)
 * appended through the engine under generated policies: whatever compacts, the log holds every
 * message in order, rounds stay whole, and the prompt renders a valid OpenAI dialogue.
 */
class EngineInvariantsTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void nothingAppendedIsLostAndNoRoundIsSplit(Backends backend) {
        Seeds.run("engine invariants on " + backend, random -> {
            int keep = 1 + random.nextInt(4);
            CompactionPolicy policy = new CompactionPolicy(keep + 1 + random.nextInt(6), keep,
                    200 + random.nextInt(3_000));
            try (ConversationStore store = backend.open(dir.resolve("run" + random.nextInt()));
                 ConversationEngine engine = ConversationEngine.builder(store).policy(policy)
                         .summarizer(ExtractiveSummarizer.withBudget(400)).build()) {
                List<Message> appended = new ArrayList<>();
                Optional<String> newestSystem = Optional.empty();
                for (int step = 0; step < 120; step++) {
                    List<Message> batch = dialogueStep(random, step);
                    engine.append("c", batch, dev.palimpsest.store.Expectation.none());
                    appended.addAll(batch);
                    for (Message m : batch) {
                        if (m.role() == Role.SYSTEM) {
                            newestSystem = Optional.of(m.content());
                        }
                    }
                    check(engine, appended, newestSystem);
                }
            }
        });
    }

    /** One step of an agent: a user turn, sometimes with a system prompt, tool calls, answers. */
    private static List<Message> dialogueStep(Random random, int step) {
        List<Message> batch = new ArrayList<>();
        if (random.nextInt(15) == 0) {
            batch.add(Message.system("rules v" + step));
        }
        batch.add(Message.user("question " + step + " " + "x".repeat(random.nextInt(200))));
        int calls = random.nextInt(3);
        if (calls > 0) {
            List<ToolCall> toolCalls = new ArrayList<>();
            for (int c = 0; c < calls; c++) {
                toolCalls.add(new ToolCall("s" + step + "c" + c, "tool" + c, "{\"n\":" + c + "}"));
            }
            batch.add(Message.assistant(random.nextBoolean() ? "" : "calling", toolCalls));
            for (ToolCall call : toolCalls) {
                if (random.nextInt(6) != 0) { // sometimes the agent dies before the result
                    batch.add(Message.tool(call.id(), call.name(), "result of " + call.id()));
                }
            }
        }
        batch.add(Message.assistant("answer " + step));
        return batch;
    }

    private static void check(ConversationEngine engine, List<Message> appended,
                              Optional<String> newestSystem) {
        List<StoredMessage> log = engine.messages("c", 1, Integer.MAX_VALUE);
        assertEquals(appended, log.stream().map(StoredMessage::message).toList());
        ConversationState state = engine.state("c").orElseThrow();
        assertEquals(state.counters().roundsTotal(),
                state.counters().compactedRounds() + state.recentRounds().size());
        for (Round round : state.recentRounds()) {
            Role first = round.messages().get(0).role();
            assertTrue(first == Role.USER || first == Role.SYSTEM, "round " + round.seq()
                    + " opens with " + first);
            assertEquals(engine.rounds("c", round.seq(), 1), List.of(round));
        }
        assertEquals(newestSystem, state.pinnedSystem().map(m -> m.message().content()));
        List<dev.palimpsest.engine.prompt.OpenAiMessage> prompt = engine.context("c")
                .messages();
        // Every tool call of a closed round is answered before the next non-tool message.
        List<String> open = new ArrayList<>();
        for (int i = 0; i < prompt.size(); i++) {
            var m = prompt.get(i);
            if (m.role().equals("tool")) {
                assertTrue(open.remove(m.toolCallId().orElseThrow()), "answers an open call");
            } else {
                assertTrue(open.isEmpty(), "calls " + open + " unanswered before message " + i);
                m.toolCalls().forEach(c -> open.add(c.id()));
            }
        }
    }
}
