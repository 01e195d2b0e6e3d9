package dev.palimpsest.engine.internal;

import dev.palimpsest.engine.SummarizerException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs a summarizer call on its own daemon thread and waits for it at most a given time.
 *
 * <p>A thread per call, not a pool: compactions are rare (one per {@code maxRounds - keepRounds}
 * appends), the engine then owns nothing that needs closing, and a call that overruns its time is
 * interrupted and abandoned; its thread ends when the call notices the interrupt or returns.
 */
public final class BoundedCall {
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
        FutureTask<T> task = new FutureTask<>(body::get);
        Thread thread = new Thread(task, threadName);
        thread.setDaemon(true);
        thread.start();
        try {
            return task.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            task.cancel(true);
            throw new SummarizerException(convId, "summarizer timed out after " + timeout
                    + " for '" + convId + "'", e);
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
}
