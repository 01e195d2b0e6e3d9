package dev.palimpsest.engine.internal;

import dev.palimpsest.engine.SummarizerException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a summarizer call on a daemon thread of its own and waits for it at most a given time.
 *
 * <p>The threads come from a JVM-wide cached pool with no core threads: a call never waits for a
 * thread (a new one starts if none is idle), an idle thread ends after a while, so the engine
 * owns nothing that needs closing, and a call that overruns its time is interrupted and
 * abandoned, keeping only its own thread until it notices the interrupt or returns. The pool
 * saves starting a thread for each compaction, which with many busy conversations is one every
 * few milliseconds. Each call runs with its caller's context class loader and the given thread
 * name, as on a thread of its own; a pooled thread inherits no inheritable thread-local.
 */
public final class BoundedCall {
    private static final String IDLE_NAME = "palimpsest-summarizer";
    private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE,
            30, TimeUnit.SECONDS, new SynchronousQueue<>(), body -> {
                // Whoever's call makes a thread must not hand it its inheritable thread-locals
                // for every later call: a pooled thread inherits none.
                Thread thread = new Thread(null, body, IDLE_NAME, 0, false);
                thread.setDaemon(true);
                return thread;
            });

    private BoundedCall() {
    }

    /**
     * Calls {@code body} and returns its result, or fails if it throws or overruns.
     *
     * @param body       the call
     * @param timeout    the longest wait
     * @param threadName the name of the thread that runs the call
     * @param convId     the conversation, for the error
     * @param <T>        the result type
     * @return what {@code body} returned
     * @throws SummarizerException if {@code body} threw, overran the timeout, or the waiting
     *                             thread was interrupted (its interrupt flag is then set again)
     */
    public static <T> T call(Supplier<T> body, Duration timeout, String threadName,
                             String convId) {
        ClassLoader callersLoader = Thread.currentThread().getContextClassLoader();
        FutureTask<T> task = new FutureTask<>(() -> {
            // As a thread of its own would: the caller's context class loader, the given name.
            Thread self = Thread.currentThread();
            self.setName(threadName);
            self.setContextClassLoader(callersLoader);
            try {
                return body.get();
            } finally {
                self.setName(IDLE_NAME);
                self.setContextClassLoader(null);
            }
        });
        THREADS.execute(task);
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new SummarizerException(convId, "summarizer timed out after "
                    + describe(timeout) + " for '" + convId + "'", e);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw new SummarizerException(convId,
                    "interrupted while waiting for the summarizer for '" + convId + "'", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SummarizerException) {
                SummarizerException s = (SummarizerException) cause;
                throw new SummarizerException(convId, s.getMessage(), s);
            }
            String detail = cause.getMessage() == null ? cause.getClass().getName()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            throw new SummarizerException(convId, "summarizer failed for '" + convId + "': "
                    + detail, cause);
        }
    }

    /** A timeout as people write it ({@code 5 s}, {@code 250 ms}), not as ISO-8601's PT5S. */
    static String describe(Duration timeout) {
        if (timeout.toMillis() % 1000 != 0 || timeout.toSeconds() == 0) {
            return timeout.toMillis() + " ms";
        }
        return timeout.toSeconds() + " s";
    }
}
