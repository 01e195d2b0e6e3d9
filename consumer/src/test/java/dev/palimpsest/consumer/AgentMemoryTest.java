package dev.palimpsest.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.ChatMessage;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine embedded as a daemon embeds it, through the exported API only: append, context and
 * transcript, with compaction in the background, across a restart.
 */
class AgentMemoryTest {
    private static final CompactionPolicy SMALL_WINDOW = new CompactionPolicy(4, 2, 1_000_000);

    @TempDir
    Path root;

    @Test
    void aRestartedDaemonCarriesOnWithEveryRoundAndTheCompressedContext() {
        List<CompactionOutcome.Status> outcomes = new CopyOnWriteArrayList<>();
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW,
                (convId, outcome) -> outcomes.add(outcome.status()))) {
            for (int i = 1; i <= 10; i++) {
                assertEquals(i, memory.record("agent-7", "question " + i, "answer " + i,
                        Map.of("model", "test")));
            }
        }
        // close() waited for the background compactions.
        assertTrue(outcomes.contains(CompactionOutcome.Status.COMMITTED), outcomes::toString);

        try (AgentMemory restarted = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            List<ChatMessage> prompt = restarted.prompt("agent-7");
            assertEquals("system", prompt.get(0).role(), "the compressed context leads");
            assertEquals("answer 10", prompt.get(prompt.size() - 1).content());
            assertTrue(prompt.size() < 1 + 2 * 10, "compaction shortened the prompt");

            List<Round> history = restarted.history("agent-7");
            assertEquals(10, history.size());
            for (int i = 0; i < 10; i++) {
                assertEquals(i + 1, history.get(i).seq());
                assertEquals("question " + (i + 1), history.get(i).user());
                assertEquals(Map.of("model", "test"), history.get(i).metadata());
            }
            assertEquals(11, restarted.record("agent-7", "after restart", "ok", Map.of()));
        }
    }

    @Test
    void aNewConversationHasAnEmptyPromptAndHistory() {
        try (AgentMemory memory = new AgentMemory(root, SMALL_WINDOW, (c, o) -> { })) {
            assertEquals(List.of(), memory.prompt("new"));
            assertEquals(List.of(), memory.history("new"));
        }
    }
}
