package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Child JVMs, each with its own engine, appending to the same conversations on one root while
 * they compact them: nothing is lost, duplicated or renumbered, no append fails (the kernel's
 * per-process {@code fcntl} deadlock detection must not fail threads of different processes), and
 * a summarizer blocked in one process never blocks another process's appends.
 */
class EngineMultiProcessTest {
    private static final Duration LIFETIME = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(80);
    private static final String ID = "shared-by-processes";

    @TempDir
    Path root;

    @Test
    void childProcessesAppendingToOneConversationLoseAndDuplicateNothing() {
        int children = 3;
        int appends = 40;
        Map<String, Map<String, Integer>> acked = new TreeMap<>();
        try (ChildJvms jvms = new ChildJvms(children, LIFETIME)) {
            List<ChildJvm> started = new ArrayList<>();
            for (int c = 0; c < children; c++) {
                started.add(jvms.start(AppendingChildMain.class, root.toString(), ID, "p" + c,
                        String.valueOf(appends), "6", "3"));
            }
            for (ChildJvm child : started) {
                assertEquals(0, child.awaitExit(WAIT), child.describe());
                List<String> lines = child.lines();
                assertEquals("done " + appends + " 0", lines.get(lines.size() - 1));
                WrittenRounds.countAcknowledged(lines, acked);
            }
        }
        try (FileConversationStore store = FileConversationStore.open(root)) {
            Map<String, Integer> stored = WrittenRounds.assertWhole(store, ID, acked.get(ID), 0);
            assertEquals(Map.of("p0", appends, "p1", appends, "p2", appends), stored);
            ConversationState state = store.load(ID).orElseThrow();
            assertTrue(state.counters().compactions() > 0, "the children compacted");
            try (ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 3, 1_000_000)).build()) {
                engine.compact(ID);
                assertEquals(3, engine.state(ID).orElseThrow().recentRounds().size());
            }
        }
    }

    @Test
    void threadsOfSeveralProcessesAppendingToSeveralConversationsNeverFail() {
        int children = 3;
        int threads = 4;
        int appends = 40;
        List<String> ids = List.of("a", "b", "c", "d");
        Map<String, Map<String, Integer>> acked = new TreeMap<>();
        try (ChildJvms jvms = new ChildJvms(children, LIFETIME)) {
            List<ChildJvm> started = new ArrayList<>();
            for (int c = 0; c < children; c++) {
                List<String> args = new ArrayList<>(List.of(root.toString(), "p" + c,
                        String.valueOf(threads), String.valueOf(appends), "6", "3"));
                args.addAll(ids);
                started.add(jvms.start(ThreadedAppendingChildMain.class,
                        args.toArray(String[]::new)));
            }
            List<String> failures = new ArrayList<>();
            for (ChildJvm child : started) {
                assertEquals(0, child.awaitExit(WAIT), child.describe());
                List<String> lines = child.lines();
                lines.stream().filter(l -> l.startsWith("failed ")).forEach(failures::add);
                assertEquals("done " + threads * appends + " 0", lines.get(lines.size() - 1),
                        () -> "appended and failed; the first failures: "
                                + failures.subList(0, Math.min(3, failures.size())));
                WrittenRounds.countAcknowledged(lines, acked);
            }
            assertEquals(List.of(), failures, "no append may fail");
        }
        try (FileConversationStore store = FileConversationStore.open(root)) {
            for (String id : ids) {
                // Thread t's i-th round went to ids[(t + i) % 4]: with 40 appends per thread,
                // every conversation gets 10 rounds of each thread of each process.
                Map<String, Integer> stored = WrittenRounds.assertWhole(store, id, acked.get(id),
                        0);
                assertEquals(children * threads, stored.size(), "every thread wrote to " + id);
                stored.forEach((writer, n) -> assertEquals(appends / ids.size(), n, writer));
                assertTrue(store.load(id).orElseThrow().counters().compactions() > 0, id);
            }
        }
    }

    @Test
    void aSummarizerBlockedInThisProcessNeverBlocksAnotherProcessAppending() throws Exception {
        BlockingSummarizerTest.StubbornSummarizer blocked =
                new BlockingSummarizerTest.StubbornSummarizer();
        try (FileConversationStore store = FileConversationStore.open(root);
             ChildJvms jvms = new ChildJvms(1, LIFETIME);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(6, 3, 1_000_000)).summarizer(blocked)
                     .summarizerTimeout(Duration.ofSeconds(60)).build()) {
            try {
                for (int i = 0; i < 6; i++) {
                    engine.append(ID, WrittenRounds.round("parent", i),
                            Expectation.none());
                }
                CompletableFuture<AppendOutcome> compacting = CompletableFuture.supplyAsync(
                        () -> engine.append(ID, WrittenRounds.round("parent", 6),
                                Expectation.none()));
                assertTrue(blocked.entered.await(60, TimeUnit.SECONDS), "the summarizer was called");
                // The child's own policy never compacts, so it only appends.
                ChildJvm child = jvms.start(AppendingChildMain.class, root.toString(), ID,
                        "child", "20", "1000000", "3");
                assertEquals(0, child.awaitExit(WAIT), child.describe());
                assertEquals(1, blocked.release.getCount(), "the child finished while it blocked");
                blocked.release.countDown();
                assertEquals(CompactionOutcome.committed(4), compacting.get(60, TimeUnit.SECONDS)
                        .compaction().outcome().orElseThrow());

                Map<String, Integer> stored = WrittenRounds.assertWhole(store, ID,
                        Map.of("parent", 7, "child", 20), 0);
                assertEquals(Map.of("parent", 7, "child", 20), stored);
                ConversationState state = store.load(ID).orElseThrow();
                assertEquals(27, state.counters().roundsTotal());
                assertEquals(23, state.recentRounds().size(), "the child's rounds were kept");
                for (int r = 0; r < 7; r++) {
                    assertEquals("parent " + r, store.rounds(ID, r + 1, 1).get(0).messages()
                            .get(0).message().content(), "the parent's rounds come first");
                }
            } finally {
                blocked.release.countDown();
            }
        }
    }
}
