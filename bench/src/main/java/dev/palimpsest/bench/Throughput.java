package dev.palimpsest.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Rounds per second of several threads appending at once, each through its own appender, all
 * started together and stopped at one deadline (figure 5).
 */
final class Throughput {
    private Throughput() {
    }

    /** Per-thread work: one round appended durably. */
    @FunctionalInterface
    interface Appender {
        void appendNext() throws Exception;
    }

    /** Creates thread {@code t}'s appender, with its resources. */
    @FunctionalInterface
    interface AppenderFactory {
        Appender create(int thread) throws Exception;
    }

    /**
     * Runs {@code threads} appenders for {@code millis} and returns the rounds per second.
     *
     * @param threads how many threads append at once
     * @param millis  for how long
     * @param factory creates each thread's appender before the clock starts
     * @return appends per second, all threads together
     * @throws Exception if an appender failed
     */
    static double measure(int threads, long millis, AppenderFactory factory) throws Exception {
        List<Appender> appenders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            appenders.add(factory.create(t));
        }
        CountDownLatch start = new CountDownLatch(1);
        long[] counts = new long[threads];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        long[] deadline = new long[1];
        for (int t = 0; t < threads; t++) {
            int idx = t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    while (System.nanoTime() < deadline[0]) {
                        appenders.get(idx).appendNext();
                        counts[idx]++;
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "appender-" + t);
            workers.add(w);
            w.start();
        }
        long begin = System.nanoTime();
        deadline[0] = begin + millis * 1_000_000L;
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        long elapsed = System.nanoTime() - begin;
        if (failure.get() != null) {
            throw new BenchException("a parallel appender failed: " + failure.get(),
                    failure.get());
        }
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total / (elapsed / 1e9);
    }
}
