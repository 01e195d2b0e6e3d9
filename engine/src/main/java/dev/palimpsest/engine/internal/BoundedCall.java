package dev.palimpsest.engine.internal;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Runs a summarizer call on a daemon thread of its own and waits for it at most a given time.
 *
 * <p>The threads come from a JVM-wide cached pool with no core threads: a call never waits for a
 * thread, an idle thread ends after a while, so the engine owns nothing that needs closing, and a
 * call that overruns its time is interrupted and abandoned, keeping only its own thread until it
 * notices the interrupt or returns. Each call runs with its caller's context class loader and the
 * given thread name; a pooled thread inherits no inheritable thread-local.
 */
public final class BoundedCall {
    private static final String IDLE_NAME = "palimpsest-summarizer";
    private static final ExecutorService THREADS = new ThreadPoolExecutor(0, Integer.MAX_VALUE,
            30, TimeUnit.SECONDS, new SynchronousQueue<>(), body -> {
                Thread thread = new Thread(null, body, IDLE_NAME, 0, false);
                thread.setDaemon(true);
                return thread;
            });

    private BoundedCall() {
    }

    /**
     * Calls {@code body} and returns its result, or fails if it throws, overruns or is
     * cancelled.
     *
     * @param body       the call
     * @param timeout    the longest wait
     * @param threadName the name of the thread that runs the call
     * @param convId     the conversation, for the error
     * @param started    told the call's future once it runs, so that it can be cancelled
     * @param <T>        the result type
     * @return what {@code body} returned
     * @throws PalimpsestException of kind {@code SUMMARIZER} if {@code body} threw, overran the
     *         timeout, was cancelled, or the waiting thread was interrupted (its interrupt flag
     *         is then set again)
     */
    public static <T> T call(Callable<T> body, Duration timeout, String threadName,
                             String convId, Consumer<Future<?>> started) {
        ClassLoader callersLoader = Thread.currentThread().getContextClassLoader();
        FutureTask<T> task = new FutureTask<>(() -> {
            Thread self = Thread.currentThread();
            self.setName(threadName);
            self.setContextClassLoader(callersLoader);
            try {
                return body.call();
            } finally {
                self.setName(IDLE_NAME);
                self.setContextClassLoader(null);
            }
        });
        started.accept(task);
        THREADS.execute(task);
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw failure(convId, "summarizer timed out after " + describe(timeout) + " for '"
                    + convId + "'", e);
        } catch (CancellationException e) {
            throw failure(convId, "summarizer call for '" + convId + "' was cancelled", e);
        } catch (InterruptedException e) {
            task.cancel(true);
            Thread.currentThread().interrupt();
            throw failure(convId, "interrupted while waiting for the summarizer for '" + convId
                    + "'", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof PalimpsestException
                    && ((PalimpsestException) cause).kind() == FailureKind.SUMMARIZER) {
                throw failure(convId, cause.getMessage(), cause);
            }
            String detail = cause.getMessage() == null ? cause.getClass().getName()
                    : cause.getClass().getSimpleName() + ": " + cause.getMessage();
            throw failure(convId, "summarizer failed for '" + convId + "': " + detail, cause);
        }
    }

    private static PalimpsestException failure(String convId, String message, Throwable cause) {
        return new PalimpsestException(FailureKind.SUMMARIZER, convId, message, cause);
    }

    /** A timeout as people write it ({@code 5 s}, {@code 250 ms}), not as ISO-8601's PT5S. */
    public static String describe(Duration timeout) {
        if (timeout.toMillis() % 1000 != 0 || timeout.toSeconds() == 0) {
            return timeout.toMillis() + " ms";
        }
        return timeout.toSeconds() + " s";
    }
}
