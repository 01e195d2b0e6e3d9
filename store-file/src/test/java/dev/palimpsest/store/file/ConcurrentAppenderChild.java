package dev.palimpsest.store.file;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child JVM of {@link MultiProcessUpdateTest}: several threads each append rounds (a user and an
 * assistant message, tagged with writer, thread and ordinal) to one conversation; then an append
 * that expects the revision read before any of them must fail with {@code REVISION_MISMATCH}.
 *
 * <p>Arguments: root, conversation id, writer name, threads, appends per thread. Reports
 * {@code ready <revision read>}, waits for {@code go}, reports {@code acked <n>} with the number
 * of acknowledged appends, then {@code mismatch} (or {@code stale append stored}) and
 * {@code done}.
 */
final class ConcurrentAppenderChild {
    private ConcurrentAppenderChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        String convId = args[1];
        String writer = args[2];
        int threads = Integer.parseInt(args[3]);
        int each = Integer.parseInt(args[4]);
        try (FileConversationStore store = FileConversationStore.open(Path.of(args[0]),
                MultiProcessUpdateTest.OPTIONS)) {
            long stale = store.load(convId).map(s -> s.revision()).orElse(0L);
            parent.report("ready " + stale);
            if (!parent.nextLine(Duration.ofSeconds(60)).orElse("").equals("go")) {
                parent.report("no go");
                System.exit(2);
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread worker = new Thread(() -> {
                    try {
                        for (int n = 0; n < each; n++) {
                            appendTagged(store, convId, writer, thread, n);
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    }
                }, writer + "-" + t);
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            if (failure.get() != null) {
                failure.get().printStackTrace();
                System.exit(1);
            }
            parent.report("acked " + threads * each);
            try {
                store.append(AppendRequest.of(convId, Expectation.revision(stale), Instant.now(),
                        Message.user("stale " + writer)));
                parent.report("stale append stored");
            } catch (PalimpsestException e) {
                parent.report(e.kind() == FailureKind.REVISION_MISMATCH ? "mismatch"
                        : "failed " + e);
            }
            parent.report("done");
        }
    }

    static AppendResult appendTagged(FileConversationStore store, String convId, String writer,
                                     int thread, int n) {
        Map<String, String> tag = Map.of("writer", writer, "thread", Integer.toString(thread),
                "n", Integer.toString(n));
        return store.append(AppendRequest.of(convId, Expectation.none(), Instant.now(),
                Message.user(writer + "/" + thread + "/" + n + " " + "q".repeat(1000))
                        .withMetadata(tag),
                Message.assistant("answer " + writer + "/" + thread + "/" + n)));
    }
}
