package dev.palimpsest.store.file;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Reads a page of conversations on a few threads at once: what {@code summaries} does for a
 * page of thousands, whose time goes to a dozen system calls per conversation, each of them
 * waiting on one core while the others stay idle. The threads are this call's own, started and
 * joined within it (none is kept, and none of a shared pool is blocked on file I/O).
 */
final class PageReads {
    /** Fewer ids than this are read by the calling thread alone: starting threads costs more. */
    static final int PARALLEL_FROM = 128;

    /** The threads of one call, the caller's included: the cores, up to four. */
    static final int THREADS = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    private PageReads() {
    }

    /**
     * One id's outcome: the value read, or what the read threw.
     *
     * @param value   the value, null if the read failed
     * @param failure what the read threw, or null
     * @param <T>     the value's type
     */
    record Outcome<T>(T value, Throwable failure) {
        /**
         * {@return the value}, or throws what the read threw
         */
        T get() {
            if (failure instanceof RuntimeException e) {
                throw e;
            }
            if (failure instanceof Error e) {
                throw e;
            }
            return value;
        }
    }

    /**
     * Reads every id, in parallel when there are enough of them, and returns the outcomes in the
     * order of {@code ids}. Returns only when every read has ended; an interrupt while waiting
     * for them is passed on to the helpers (whose reads then fail as the caller's own would) and
     * kept for the caller.
     *
     * @param ids    the ids
     * @param reader what to read for one id; it must be safe to call from many threads
     * @param <T>    the value's type
     * @return one outcome per id
     */
    static <T> List<Outcome<T>> read(List<String> ids, Function<String, T> reader) {
        int n = ids.size();
        List<Outcome<T>> outcomes = new ArrayList<>(n);
        if (n < PARALLEL_FROM || THREADS < 2) {
            for (String id : ids) {
                outcomes.add(outcome(reader, id));
            }
            return outcomes;
        }
        Object[] slots = new Object[n];
        AtomicInteger next = new AtomicInteger();
        Runnable work = () -> {
            for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                slots[i] = outcome(reader, ids.get(i));
            }
        };
        List<Thread> helpers = new ArrayList<>(THREADS - 1);
        try {
            for (int k = 0; k < THREADS - 1; k++) {
                Thread helper = new Thread(work, "palimpsest-page-read-" + k);
                helper.setDaemon(true);
                helper.start();
                helpers.add(helper);
            }
        } catch (OutOfMemoryError | RuntimeException cannotStart) {
            // No thread to be had ("unable to create native thread"): the caller and the helpers
            // started so far read the page.
        }
        work.run();
        boolean interrupted = false;
        for (Thread helper : helpers) {
            while (true) {
                try {
                    helper.join();
                    break;
                } catch (InterruptedException e) {
                    // As if the caller read alone: the helpers' lock waits end too (each such
                    // read fails as the caller's would), then the interrupt is kept for it.
                    if (!interrupted) {
                        helpers.forEach(Thread::interrupt);
                    }
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        for (Object slot : slots) {
            @SuppressWarnings("unchecked")
            Outcome<T> o = (Outcome<T>) slot;
            outcomes.add(o);
        }
        return outcomes;
    }

    private static <T> Outcome<T> outcome(Function<String, T> reader, String id) {
        try {
            return new Outcome<>(reader.apply(id), null);
        } catch (RuntimeException | Error e) {
            return new Outcome<>(null, e);
        }
    }
}
