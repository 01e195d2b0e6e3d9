package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several processes, with several threads each, append to one conversation while this JVM's
 * threads do too, with 64 KiB segments and a checkpoint every 3 records, so rotations and
 * checkpoints of different processes interleave: the conversation holds exactly the
 * acknowledged appends, messages numbered 1..N without a gap, each append's two messages side by
 * side in one round, each thread's appends once each and in its order; and an append expecting
 * the revision read before them fails with {@code REVISION_MISMATCH}, changing nothing.
 */
class MultiProcessUpdateTest {
    static final FileStoreOptions OPTIONS = new FileStoreOptions(3, 1L << 20, 64 * 1024, 4096,
            1 << 20);
    private static final int PROCESSES = 3;
    private static final int THREADS_PER_PROCESS = 2;
    private static final int APPENDS_PER_THREAD = 25;
    private static final int PARENT_THREADS = 2;
    private static final int PARENT_APPENDS_PER_THREAD = 15;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CONV_ID = "shared";

    @TempDir
    Path root;

    @Test
    void concurrentProcessesAndThreadsNumberDenselyAndAStaleAppendIsRefused()
            throws IOException, InterruptedException {
        int perProcess = THREADS_PER_PROCESS * APPENDS_PER_THREAD;
        int total = PROCESSES * perProcess + PARENT_THREADS * PARENT_APPENDS_PER_THREAD;
        long started = System.nanoTime();
        try (ChildJvms children = new ChildJvms(PROCESSES, Duration.ofSeconds(90));
             FileConversationStore store = FileConversationStore.open(root, OPTIONS)) {
            List<ChildJvm> writers = new ArrayList<>();
            for (int p = 1; p <= PROCESSES; p++) {
                writers.add(children.start(ConcurrentAppenderChild.class, root.toString(),
                        CONV_ID, "p" + p, Integer.toString(THREADS_PER_PROCESS),
                        Integer.toString(APPENDS_PER_THREAD)));
            }
            for (ChildJvm writer : writers) {
                assertEquals("ready 0", writer.awaitLine(l -> l.startsWith("ready"), WAIT));
            }
            writers.forEach(writer -> writer.send("go"));
            runParentWriters(store);
            int acknowledged = PARENT_THREADS * PARENT_APPENDS_PER_THREAD;
            for (ChildJvm writer : writers) {
                assertEquals(0, writer.awaitExit(WAIT), writer.describe());
                List<String> lines = writer.lines();
                assertEquals(List.of("ready 0", "acked " + perProcess, "mismatch", "done"), lines,
                        writer.describe());
                acknowledged += perProcess;
            }
            assertEquals(total, acknowledged);

            Map<String, String> before = TreeSnapshot.of(root, null);
            PalimpsestException stale = org.junit.jupiter.api.Assertions.assertThrows(
                    PalimpsestException.class, () -> store.append(AppendRequest.of(CONV_ID,
                            Expectation.revision(0), Instant.now(), Message.user("stale"))));
            assertEquals(FailureKind.REVISION_MISMATCH, stale.kind(), stale.getMessage());
            assertEquals(before, TreeSnapshot.of(root, null), "a refused append changes nothing");
            assertTrue(Files.exists(root.resolve("sm/conversation-shared.00000002.log")),
                    "the appends rotated segments");
        }
        try (FileConversationStore store = FileConversationStore.open(root, OPTIONS)) {
            List<StoredMessage> all = store.messages(CONV_ID, 1, 100_000);
            assertEquals(2 * total, all.size(), "every acknowledged append, nothing else");
            assertEquals(total, store.load(CONV_ID).orElseThrow().revision());
            Map<String, List<Integer>> ordinals = new TreeMap<>();
            for (int i = 0; i < all.size(); i += 2) {
                StoredMessage user = all.get(i);
                StoredMessage answer = all.get(i + 1);
                assertEquals(i + 1, user.seq());
                assertEquals(i + 2, answer.seq());
                assertEquals(user.roundSeq(), answer.roundSeq(), "one append, one round");
                assertEquals(i / 2 + 1, user.roundSeq());
                Map<String, String> tag = user.message().metadata();
                String name = tag.get("writer") + "/" + tag.get("thread") + "/" + tag.get("n");
                assertEquals("answer " + name, answer.message().content());
                ordinals.computeIfAbsent(tag.get("writer") + "/" + tag.get("thread"),
                        k -> new ArrayList<>()).add(Integer.parseInt(tag.get("n")));
            }
            Map<String, List<Integer>> expected = new TreeMap<>();
            for (int p = 1; p <= PROCESSES; p++) {
                for (int t = 0; t < THREADS_PER_PROCESS; t++) {
                    expected.put("p" + p + "/" + t,
                            IntStream.range(0, APPENDS_PER_THREAD).boxed().toList());
                }
            }
            for (int t = 0; t < PARENT_THREADS; t++) {
                expected.put("parent/" + t,
                        IntStream.range(0, PARENT_APPENDS_PER_THREAD).boxed().toList());
            }
            assertEquals(expected, ordinals, "each thread's appends, once each, in its order");
            assertTrue(store.check(false).clean());
        }
        System.out.printf("store-file multi-process test: %d processes x %d threads x %d appends"
                        + " + %d threads x %d appends here = %d appends in %.1f s, seqs dense%n",
                PROCESSES, THREADS_PER_PROCESS, APPENDS_PER_THREAD, PARENT_THREADS,
                PARENT_APPENDS_PER_THREAD, total, (System.nanoTime() - started) / 1e9);
    }

    private static void runParentWriters(FileConversationStore store)
            throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < PARENT_THREADS; t++) {
            int thread = t;
            Thread worker = new Thread(() -> {
                try {
                    for (int n = 0; n < PARENT_APPENDS_PER_THREAD; n++) {
                        ConcurrentAppenderChild.appendTagged(store, CONV_ID, "parent", thread, n);
                    }
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                }
            }, "parent-writer-" + t);
            threads.add(worker);
            worker.start();
        }
        for (Thread worker : threads) {
            worker.join(WAIT.toMillis());
            assertTrue(!worker.isAlive(), worker.getName() + " did not finish");
        }
        if (failure.get() != null) {
            throw new AssertionError("an append in the test JVM failed", failure.get());
        }
    }
}
