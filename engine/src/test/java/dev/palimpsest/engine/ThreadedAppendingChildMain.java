package dev.palimpsest.engine;

import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child JVM of {@link EngineCrashTest} and {@link EngineMultiProcessTest}: {@code threads}
 * threads appending through one engine on a {@link FileConversationStore}, compacting in the
 * appending threads under the given window. Thread t sends its i-th round to conversation
 * {@code ids[(t + i) % ids.length]}, as writer {@code <prefix>.t<t>}, numbering its rounds per
 * conversation (so each conversation holds each writer's rounds 0, 1, ...). Reports
 * {@link WrittenRounds#acknowledgement} for each append that returned, {@code failed <message>}
 * for each that threw, and at the end {@code done <appended> <failed>}.
 *
 * <p>Arguments: root, prefix, threads, appends per thread, maxRounds, keepRounds, then the
 * conversation ids.
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
        CompactionPolicy policy = new CompactionPolicy(Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), 1_000_000);
        List<String> ids = List.of(args).subList(6, args.length);
        AtomicInteger appended = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        try (FileConversationStore store = FileConversationStore.open(root,
                AppendingChildMain.OPTIONS);
             ConversationEngine engine = ConversationEngine.builder(store).policy(policy)
                     .summarizer(ExtractiveSummarizer.withBudget(400)).build()) {
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                String writer = prefix + ".t" + t;
                workers.add(new Thread(() -> {
                    int[] next = new int[ids.size()];
                    for (int i = 0; i < appends; i++) {
                        int conv = (thread + i) % ids.size();
                        String id = ids.get(conv);
                        try {
                            AppendOutcome outcome = engine.append(id,
                                    WrittenRounds.round(writer, next[conv]), Expectation.none());
                            parent.report(WrittenRounds.acknowledgement(id, writer, next[conv],
                                    outcome.appended()));
                            next[conv]++;
                            appended.incrementAndGet();
                        } catch (RuntimeException e) {
                            failed.incrementAndGet();
                            parent.report("failed " + String.valueOf(e.getMessage())
                                    .replace('\n', ' '));
                            return; // the next round of this writer would leave a gap
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
