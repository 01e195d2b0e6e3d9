package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appending and compacting through the file store is killed with SIGKILL at a random
 * moment, several times over one conversation: every round it acknowledged is in the transcript,
 * in order, the transcript stays contiguous, and the next process carries on.
 */
class EngineCrashTest {
    private static final int CYCLES = 4;
    private static final String ID = "killed often";

    @TempDir
    Path root;

    @Test
    void killedAppendersNeverLoseAnAcknowledgedRound() {
        Seeds.run("kill -9 during appends and compactions", random -> {
            List<Integer> acknowledged = new ArrayList<>();
            try (ChildJvms jvms = new ChildJvms(CYCLES, Duration.ofSeconds(90))) {
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    ChildJvm child = jvms.start(AppendingChildMain.class, root.toString(), ID,
                            "k" + cycle, "100000", "5", "2");
                    int killAfter = 3 + random.nextInt(40);
                    child.awaitLine(line -> line.startsWith("appended ")
                            && child.lines().size() >= killAfter, Duration.ofSeconds(80));
                    child.kill(Duration.ofSeconds(20));
                    acknowledged.add((int) child.lines().stream()
                            .filter(line -> line.startsWith("appended ")).count());
                }
            }
            try (ConversationStore store = ConversationStore.open(root)) {
                List<Round> transcript = ConversationEngine.builder(store).build().transcript(ID);
                int index = 0;
                for (int cycle = 0; cycle < CYCLES; cycle++) {
                    int i = 0;
                    while (index < transcript.size()
                            && transcript.get(index).user().startsWith("k" + cycle + "-")) {
                        assertEquals("k" + cycle + "-" + i, transcript.get(index).user());
                        assertEquals(index + 1, transcript.get(index).seq());
                        i++;
                        index++;
                    }
                    int acked = acknowledged.get(cycle);
                    assertTrue(i >= acked && i <= acked + 1, "cycle " + cycle + ": " + i
                            + " rounds stored, " + acked + " acknowledged");
                }
                assertEquals(transcript.size(), index, "nothing but the appended rounds");
                Conversation state = store.load(ID);
                assertEquals(transcript.size(), state.counters().roundsTotal());
                // At least 12 acknowledged appends with a window of 5: compactions committed.
                assertTrue(state.counters().compactions() > 0, state.counters().toString());
                try (var archived = store.archive(ID)) {
                    assertTrue(archived.map(Round::seq).distinct().count()
                            >= state.counters().compactedRounds());
                }
            }
        });
    }
}
