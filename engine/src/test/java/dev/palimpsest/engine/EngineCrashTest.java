package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Child JVMs appending and compacting through the engine on the file store are killed with
 * SIGKILL at random moments (in an append, a compaction, a checkpoint), cycle after cycle on the
 * same root: every round any of them acknowledged is in the log once, whole and in order, at most
 * the one append a kill cut short is there unacknowledged, the counters agree with the log, and
 * the next process (and this JVM) carries on.
 */
class EngineCrashTest {
    private static final Duration LIFETIME = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(80);
    private static final Duration REAP = Duration.ofSeconds(20);

    @TempDir
    Path root;

    @Test
    void killedAppendersNeverLoseAnAcknowledgedRound() {
        int cycles = 4;
        String id = "killed-often";
        Seeds.run("engine kill -9", random -> {
            Map<String, Map<String, Integer>> acked = new TreeMap<>();
            try (ChildJvms jvms = new ChildJvms(cycles, LIFETIME)) {
                for (int cycle = 0; cycle < cycles; cycle++) {
                    ChildJvm child = jvms.start(AppendingChildMain.class, root.toString(), id,
                            "k" + cycle, "100000", "5", "2");
                    killAfter(child, 3 + random.nextInt(40));
                    WrittenRounds.countAcknowledged(child.lines(), acked);
                }
            }
            Map<String, Integer> writers = acked.getOrDefault(id, Map.of());
            try (FileConversationStore store = FileConversationStore.open(root)) {
                Map<String, Integer> stored = WrittenRounds.assertWhole(store, id, writers, 1);
                ConversationState state = store.load(id).orElseThrow();
                // At least 12 acknowledged rounds with a window of 5: compactions committed.
                assertTrue(state.counters().compactions() > 0, state.counters().toString());
                carryOn(store, id);
                System.out.println("engine kill -9: " + cycles + " kills, acknowledged "
                        + writers + ", stored " + stored);
            }
        });
    }

    @Test
    void killedThreadedAppendersOnSeveralConversationsNeverLoseAnAcknowledgedRound() {
        int cycles = 2;
        List<String> ids = List.of("a", "b", "c");
        Seeds.run("engine kill -9, threads", random -> {
            Map<String, Map<String, Integer>> acked = new TreeMap<>();
            try (ChildJvms jvms = new ChildJvms(cycles, LIFETIME)) {
                for (int cycle = 0; cycle < cycles; cycle++) {
                    List<String> args = new ArrayList<>(List.of(root.toString(), "k" + cycle,
                            "3", "100000", "4", "2"));
                    args.addAll(ids);
                    ChildJvm child = jvms.start(ThreadedAppendingChildMain.class,
                            args.toArray(String[]::new));
                    killAfter(child, 20 + random.nextInt(80));
                    assertTrue(child.lines().stream().noneMatch(l -> l.startsWith("failed ")),
                            child.describe());
                    WrittenRounds.countAcknowledged(child.lines(), acked);
                }
            }
            try (FileConversationStore store = FileConversationStore.open(root)) {
                for (String id : ids) {
                    // Each thread has at most one append in flight when it is killed.
                    WrittenRounds.assertWhole(store, id, acked.getOrDefault(id, Map.of()), 1);
                    carryOn(store, id);
                }
                System.out.println("engine kill -9, threads: acknowledged " + acked);
            }
        });
    }

    /** Waits until the child has reported {@code lines} lines, then kills it. */
    private static void killAfter(ChildJvm child, int lines) {
        child.awaitLine(line -> child.lines().size() >= lines, WAIT);
        child.kill(REAP);
    }

    /** An engine in this JVM appends after the kills and compacts on demand. */
    private static void carryOn(FileConversationStore store, String id) {
        try (ConversationEngine engine = ConversationEngine.builder(store)
                .policy(CompactionPolicy.never(2)).build()) {
            long before = store.load(id).orElseThrow().counters().roundsTotal();
            AppendOutcome next = engine.appendRound(id, "after the kills", "carried on");
            assertEquals(before + 1, next.appended().messages().get(0).roundSeq());
            assertEquals(CompactionOutcome.Status.COMMITTED,
                    engine.compact(id).outcome().orElseThrow().status());
            assertEquals(2, engine.state(id).orElseThrow().recentRounds().size());
        }
    }
}
