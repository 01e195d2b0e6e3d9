package dev.palimpsest.engine;

import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link EngineMultiProcessTest}: {@code threads} threads, each appending
 * {@code appends} rounds through one engine, thread t's i-th round to conversation
 * {@code ids[(t + i) % ids.length]} with user text {@code <prefix>-<t>-<i>}. Every failed append
 * is reported as {@code failed <message>}; at the end {@code done <appended> <failed>}.
 *
 * <p>Arguments: root, prefix, threads, appends per thread, then the conversation ids.
 */
final class ThreadedAppendingChildMain {
    private ThreadedAppendingChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String prefix = args[1];
        int threads = Integer.parseInt(args[2]);
        int appends = Integer.parseInt(args[3]);
        List<String> ids = List.of(args).subList(4, args.length);
        AtomicInteger appended = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        try (ConversationStore store = ConversationStore.open(root)) {
            // No compaction: every append is one locked read-modify-write of one conversation.
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(1_000_000, 3, 1_000_000_000)).build();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(new Thread(() -> {
                    for (int i = 0; i < appends; i++) {
                        String id = ids.get((thread + i) % ids.size());
                        try {
                            engine.append(id, prefix + "-" + thread + "-" + i, "ok");
                            appended.incrementAndGet();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            parent.report("failed " + String.valueOf(e.getMessage())
                                    .replace('\n', ' '));
                        }
                    }
                }, "appender-" + t));
            }
            workers.forEach(Thread::start);
            for (Thread worker : workers) {
                worker.join();
            }
        }
        parent.report("done " + appended.get() + " " + failed.get());
        System.exit(0);
    }
}
