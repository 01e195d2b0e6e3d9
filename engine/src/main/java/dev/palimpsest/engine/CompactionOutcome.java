package dev.palimpsest.engine;

import java.util.Objects;
import java.util.Optional;

/**
 * What became of a compaction.
 *
 * @param status       what happened
 * @param roundsFolded how many rounds were folded into the compressed context and archived
 *                     (non-zero only when {@link Status#COMMITTED})
 * @param failure      a one-line message when {@link Status#FAILED}, empty otherwise
 */
public record CompactionOutcome(Status status, int roundsFolded, Optional<String> failure) {

    /** The outcome of an append that did not need a compaction. */
    public static final CompactionOutcome NOT_NEEDED =
            new CompactionOutcome(Status.NOT_NEEDED, 0, Optional.empty());

    /**
     * Validates that the parts agree with the status.
     *
     * @param status       what happened
     * @param roundsFolded how many rounds were folded into the compressed context and archived
     *                     (non-zero only when {@link Status#COMMITTED})
     * @param failure      a one-line message when {@link Status#FAILED}, empty otherwise
     */
    public CompactionOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failure, "failure");
        if (roundsFolded < 0) {
            throw new IllegalArgumentException("roundsFolded must be >= 0, was " + roundsFolded);
        }
        if ((status == Status.COMMITTED) != (roundsFolded > 0)) {
            throw new IllegalArgumentException("roundsFolded must be > 0 exactly when "
                    + "COMMITTED: status " + status + ", roundsFolded " + roundsFolded);
        }
        if ((status == Status.FAILED) != failure.isPresent()) {
            throw new IllegalArgumentException("a failure message must be present exactly when "
                    + "FAILED: status " + status + ", failure " + failure);
        }
    }

    /**
     * Returns the outcome of a compaction that committed.
     *
     * @param roundsFolded the rounds folded, at least 1
     * @return the outcome
     */
    public static CompactionOutcome committed(int roundsFolded) {
        return new CompactionOutcome(Status.COMMITTED, roundsFolded, Optional.empty());
    }

    /**
     * Returns the outcome of a compaction that failed.
     *
     * @param message a one-line message saying what failed
     * @return the outcome
     */
    public static CompactionOutcome failed(String message) {
        return new CompactionOutcome(Status.FAILED, 0, Optional.of(message));
    }

    /**
     * Returns an outcome without rounds or failure.
     *
     * @param status {@link Status#NOT_NEEDED}, {@link Status#DROPPED},
     *               {@link Status#SCHEDULED} or {@link Status#IN_PROGRESS}
     * @return the outcome
     */
    public static CompactionOutcome of(Status status) {
        return new CompactionOutcome(status, 0, Optional.empty());
    }

    /** What happened to a compaction. */
    public enum Status {
        /** The policy did not ask for one (or there was no round to evict). */
        NOT_NEEDED,
        /** The evicted rounds were archived and the state without them was stored. */
        COMMITTED,
        /**
         * The summary was discarded because another engine (another process, usually) compacted
         * those rounds first; nothing was written.
         */
        DROPPED,
        /**
         * The summarizer failed or timed out (or the commit failed); the rounds stay verbatim,
         * the failure is counted in {@code compaction_failures}, and the next append tries again.
         */
        FAILED,
        /** The compaction was handed to the engine's executor; the listener hears its outcome. */
        SCHEDULED,
        /**
         * This engine is already compacting the conversation (in another thread, or queued on
         * the executor); the append did not wait for it.
         */
        IN_PROGRESS
    }
}
