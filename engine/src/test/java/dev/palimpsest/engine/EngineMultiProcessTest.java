package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Child JVMs appending to one conversation through the file store, while they and this JVM
 * compact it: no round is lost or duplicated, and a summarizer blocked in one process never
 * blocks another process's appends.
 */
class EngineMultiProcessTest {
    private static final Duration CHILD_LIFETIME = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(80);
    private static final String ID = "shared by processes";

    @TempDir
    Path root;

    @Test
    void childProcessesAppendingToOneConversationLoseAndDuplicateNothing() {
        int children = 3;
        int appends = 40;
        try (ChildJvms jvms = new ChildJvms(children, CHILD_LIFETIME)) {
            List<ChildJvm> started = new ArrayList<>();
            for (int c = 0; c < children; c++) {
                started.add(jvms.start(AppendingChildMain.class, root.toString(), ID, "p" + c,
                        String.valueOf(appends), "6", "3"));
            }
            for (ChildJvm child : started) {
                assertEquals(0, child.awaitExit(WAIT), child.stderr());
                assertEquals(appends + 1, child.lines().size(), child.lines().toString());
            }
        }
        try (ConversationStore store = ConversationStore.open(root)) {
            List<Round> transcript = ConversationEngine.builder(store).build().transcript(ID);
            assertEquals(children * appends, transcript.size());
            Map<String, Integer> next = new HashMap<>();
            for (int i = 0; i < transcript.size(); i++) {
                Round round = transcript.get(i);
                assertEquals(i + 1, round.seq(), "contiguous");
                String[] parts = round.user().split("-");
                int expected = next.getOrDefault(parts[0], 0);
                assertEquals(expected, Integer.parseInt(parts[1]),
                        "each child's rounds once and in order: " + round.user());
                next.put(parts[0], expected + 1);
            }
            Conversation state = store.load(ID);
            assertTrue(state.counters().compactions() > 0, "the children compacted");
            assertTrue(state.recentRounds().size() <= 6, "window " + state.recentRounds().size());
            try (var archived = store.archive(ID)) {
                assertEquals(state.counters().compactedRounds(),
                        archived.map(Round::seq).distinct().count());
            }
        }
    }

    /**
     * Threads of several processes, each thread appending to every conversation in turn: the
     * kernel's deadlock detection for {@code fcntl} locks reasons per process, so a thread
     * waiting for one conversation's lock while another thread of its process holds another
     * conversation's lock looked like a cycle and failed with "Resource deadlock avoided"
     * (issue 10: 140 of 800 appends failed with 2 processes of 4 threads). No append may fail.
     */
    @Test
    void threadsOfSeveralProcessesAppendingToSeveralConversationsNeverFail() {
        int children = 3;
        int threads = 4;
        int appends = 40;
        List<String> ids = List.of("a", "b", "c", "d");
        try (ChildJvms jvms = new ChildJvms(children, CHILD_LIFETIME)) {
            List<ChildJvm> started = new ArrayList<>();
            for (int c = 0; c < children; c++) {
                List<String> args = new ArrayList<>(List.of(root.toString(), "p" + c,
                        String.valueOf(threads), String.valueOf(appends)));
                args.addAll(ids);
                started.add(jvms.start(ThreadedAppendingChildMain.class,
                        args.toArray(String[]::new)));
            }
            List<String> failures = new ArrayList<>();
            for (ChildJvm child : started) {
                assertEquals(0, child.awaitExit(WAIT), child.stderr());
                List<String> lines = child.lines();
                lines.stream().filter(l -> l.startsWith("failed ")).forEach(failures::add);
                assertEquals("done " + threads * appends + " 0", lines.get(lines.size() - 1),
                        () -> "appended and failed; the first failures: "
                                + failures.subList(0, Math.min(3, failures.size())));
            }
            assertEquals(List.of(), failures, "no append may fail");
        }
        try (ConversationStore store = ConversationStore.open(root)) {
            ConversationEngine engine = ConversationEngine.builder(store).build();
            for (String id : ids) {
                // Thread t's i-th round went to ids[(t + i) % 4]: with 40 appends per thread,
                // every conversation gets 10 rounds of each thread of each process.
                int expected = children * threads * appends / ids.size();
                List<Round> transcript = engine.transcript(id);
                assertEquals(expected, transcript.size(), "rounds of " + id);
                Map<String, Integer> last = new HashMap<>();
                for (int i = 0; i < transcript.size(); i++) {
                    Round round = transcript.get(i);
                    assertEquals(i + 1, round.seq(), "contiguous in " + id);
                    String[] parts = round.user().split("-");
                    String writer = parts[0] + "-" + parts[1];
                    int index = Integer.parseInt(parts[2]);
                    Integer previous = last.put(writer, index);
                    assertTrue(previous == null || previous < index,
                            "each thread's rounds once and in order in " + id + ": "
                                    + round.user());
                }
                assertEquals(children * threads, last.size(), "every thread wrote to " + id);
            }
        }
    }

    @Test
    void aSummarizerBlockedInThisProcessNeverBlocksAnotherProcessAppending() throws Exception {
        try (ConversationStore store = ConversationStore.open(root);
             ChildJvms jvms = new ChildJvms(1, CHILD_LIFETIME)) {
            BlockingSummarizerTest.BlockingSummarizer blocking =
                    new BlockingSummarizerTest.BlockingSummarizer();
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 3, 1_000_000)).summarizer(blocking).build();
            for (int i = 0; i < 6; i++) {
                engine.append(ID, "parent-" + i, "ok");
            }
            CompletableFuture<AppendResult> compacting =
                    CompletableFuture.supplyAsync(() -> engine.append(ID, "parent-6", "ok"));
            assertTrue(blocking.entered.await(60, TimeUnit.SECONDS), "the summarizer was called");
            // The child's own policy never compacts, so it only appends.
            ChildJvm child = jvms.start(AppendingChildMain.class, root.toString(), ID, "child",
                    "20", "1000", "3");
            assertEquals(0, child.awaitExit(WAIT), child.stderr());
            assertEquals(1, blocking.release.getCount(), "the child finished while it blocked");
            blocking.release.countDown();
            assertEquals(CompactionOutcome.committed(4),
                    compacting.get(60, TimeUnit.SECONDS).compaction());

            Conversation state = store.load(ID);
            assertEquals(27, state.counters().roundsTotal());
            assertEquals(23, state.recentRounds().size(), "the child's rounds were kept");
            List<Round> transcript = engine.transcript(ID);
            assertEquals(27, transcript.size());
            for (int i = 0; i < 7; i++) {
                assertEquals("parent-" + i, transcript.get(i).user());
            }
            for (int i = 0; i < 20; i++) {
                assertEquals("child-" + i, transcript.get(7 + i).user());
            }
        }
    }
}
