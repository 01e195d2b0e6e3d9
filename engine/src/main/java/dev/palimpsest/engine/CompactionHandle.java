package dev.palimpsest.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A compaction the engine started: wait for it, or ask whether it is done. Every append returns
 * one; a compaction that ran in the appending thread (the default), or that was not needed, is
 * done before the append returns. Two appends that both find one conversation due while its
 * compaction runs get the same handle: one engine never runs two compactions of a conversation
 * at once.
 */
public final class CompactionHandle {
    private final String convId;
    private final CompletableFuture<CompactionOutcome> result = new CompletableFuture<>();
    /** The summarizer call in flight, so that {@link ConversationEngine#close()} can stop it. */
    private volatile Future<?> summarizerCall;

    CompactionHandle(String convId) {
        this.convId = Objects.requireNonNull(convId, "convId");
    }

    static CompactionHandle done(String convId, CompactionOutcome outcome) {
        CompactionHandle handle = new CompactionHandle(convId);
        handle.complete(outcome);
        return handle;
    }

    /** {@return the conversation being compacted} */
    public String convId() {
        return convId;
    }

    /** {@return whether the compaction has ended, whatever its outcome} */
    public boolean isDone() {
        return result.isDone();
    }

    /** {@return the outcome if the compaction has ended, empty while it runs} */
    public Optional<CompactionOutcome> outcome() {
        return isDone() ? Optional.of(result.join()) : Optional.empty();
    }

    /**
     * Waits for the compaction to end.
     *
     * @param timeout the longest wait
     * @return the outcome
     * @throws InterruptedException if the waiting thread is interrupted (the compaction goes on)
     * @throws TimeoutException     if it has not ended within {@code timeout} (it goes on)
     */
    public CompactionOutcome await(Duration timeout)
            throws InterruptedException, TimeoutException {
        try {
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // The engine completes handles only with outcomes, never exceptionally.
            throw new IllegalStateException("compaction of '" + convId + "' failed", e);
        }
    }

    /** {@return a stage that completes with the outcome, for callers that compose futures} */
    public CompletionStage<CompactionOutcome> whenDone() {
        return result.minimalCompletionStage();
    }

    boolean complete(CompactionOutcome outcome) {
        return result.complete(outcome);
    }

    void summarizing(Future<?> call) {
        this.summarizerCall = call;
    }

    /** Interrupts the summarizer call in flight, if any. */
    void interruptSummarizer() {
        Future<?> call = summarizerCall;
        if (call != null) {
            call.cancel(true);
        }
    }

    @Override
    public String toString() {
        return "CompactionHandle[" + convId + ", " + (isDone() ? result.join().status() : "RUNNING")
                + "]";
    }
}
