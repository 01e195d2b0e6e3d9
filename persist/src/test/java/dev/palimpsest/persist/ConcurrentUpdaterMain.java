package dev.palimpsest.persist;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child JVM of {@link MultiProcessUpdateTest}: several threads each append rounds to one
 * conversation with {@code update}, each round tagged with its writer, thread and ordinal; then
 * a {@code save} of the state read before any update must fail with {@link ConflictException}.
 * Uses only the public API.
 *
 * <p>Arguments: data root, conversation id, writer name, threads, updates per thread. Reports
 * {@code ready <revision read>}, waits for {@code go}, then reports
 * {@code conflict <expected> <actual>} (or {@code stale save stored <revision>}) and
 * {@code done <updates>}.
 */
final class ConcurrentUpdaterMain {
    private ConcurrentUpdaterMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        String writer = args[2];
        int threads = Integer.parseInt(args[3]);
        int updatesPerThread = Integer.parseInt(args[4]);
        try (ConversationStore store = ConversationStore.open(root)) {
            Conversation stale = store.load(convId);
            parent.report("ready " + stale.revision());
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
                        for (int n = 0; n < updatesPerThread; n++) {
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
            try {
                Conversation staleChange = stale.withRoundAppended(
                        tagged(stale.nextSeq(), writer, -1, -1), Instant.now());
                Conversation stored = store.save(staleChange);
                parent.report("stale save stored " + stored.revision());
            } catch (ConflictException e) {
                parent.report("conflict " + e.expectedRevision() + " " + e.actualRevision());
            }
            parent.report("done " + threads * updatesPerThread);
        }
    }

    static Conversation appendTagged(ConversationStore store, String convId, String writer,
                                     int thread, int n) {
        return store.update(convId, current -> current.withRoundAppended(
                tagged(current.nextSeq(), writer, thread, n), Instant.now()));
    }

    private static Round tagged(long seq, String writer, int thread, int n) {
        return new Round(seq, writer + "/" + thread + "/" + n, "ok", Instant.now(),
                Map.of("writer", writer, "thread", Integer.toString(thread),
                        "n", Integer.toString(n)));
    }
}
