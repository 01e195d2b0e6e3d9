package dev.palimpsest.engine;

import dev.palimpsest.model.PalimpsestException;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of a compaction.
 *
 * @param status       what happened
 * @param roundsFolded how many rounds were folded into the compressed context (non-zero exactly
 *                     when {@link Status#COMMITTED})
 * @param failure      what failed, exactly when {@link Status#FAILED}: its kind is
 *                     {@code SUMMARIZER} for the summarizer, the store's kind for the store
 */
public record CompactionOutcome(Status status, int roundsFolded,
                                Optional<PalimpsestException> failure) {

    /** The outcome of an append that did not need a compaction. */
    public static final CompactionOutcome NOT_NEEDED =
            new CompactionOutcome(Status.NOT_NEEDED, 0, Optional.empty());

    /**
     * Validates that the parts agree with the status.
     *
     * @param status       what happened
     * @param roundsFolded how many rounds were folded
     * @param failure      what failed, exactly when {@link Status#FAILED}
     */
    public CompactionOutcome {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(failure, "failure");
        if ((status == Status.COMMITTED) != (roundsFolded > 0) || roundsFolded < 0) {
            throw new IllegalArgumentException("roundsFolded must be > 0 exactly when "
                    + "COMMITTED: status " + status + ", roundsFolded " + roundsFolded);
        }
        if ((status == Status.FAILED) != failure.isPresent()) {
            throw new IllegalArgumentException("a failure must be present exactly when "
                    + "FAILED: status " + status);
        }
    }

    /**
     * {@return the outcome of a compaction that committed}
     *
     * @param roundsFolded the rounds folded, at least 1
     */
    public static CompactionOutcome committed(int roundsFolded) {
        return new CompactionOutcome(Status.COMMITTED, roundsFolded, Optional.empty());
    }

    /**
     * {@return the outcome of a compaction that failed}
     *
     * @param failure what failed
     */
    public static CompactionOutcome failed(PalimpsestException failure) {
        return new CompactionOutcome(Status.FAILED, 0, Optional.of(failure));
    }

    /**
     * {@return an outcome without rounds or failure}
     *
     * @param status {@link Status#NOT_NEEDED}, {@link Status#DROPPED} or
     *               {@link Status#CANCELLED}
     */
    public static CompactionOutcome of(Status status) {
        return new CompactionOutcome(status, 0, Optional.empty());
    }

    /** What happened to a compaction. */
    public enum Status {
        /** The policy did not ask for one, or there was no round to fold. */
        NOT_NEEDED,
        /** The rounds were folded and the new compressed context committed. */
        COMMITTED,
        /**
         * The summary was discarded: another engine (another process, usually) compacted those
         * rounds first, or the conversation was deleted meanwhile. Nothing was written.
         */
        DROPPED,
        /**
         * The summarizer failed or timed out, or the store failed; the rounds stay verbatim, a
         * summarizer failure is counted in {@code compaction_failures}, and a later append tries
         * again.
         */
        FAILED,
        /** The engine closed before the compaction could finish; nothing was written. */
        CANCELLED,
        /**
         * Another engine (on another host, usually) holds the store's claim on this
         * conversation's compaction ({@code ConversationStore.claimCompaction}) and summarizes
         * it; this one did nothing.
         */
        CLAIMED_ELSEWHERE
    }
}
