package dev.palimpsest.format;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import java.time.Instant;
import java.util.List;

/**
 * One change of a conversation as its log holds it. Replaying a conversation's records in order
 * onto an empty state (or onto a checkpoint, from the record after it) gives its current state.
 */
public sealed interface LogRecord {
    /** {@return the conversation's revision after this change} */
    long revision();

    /** {@return when the change committed} */
    Instant at();

    /**
     * Messages appended.
     *
     * @param revision the revision after the change
     * @param at       when it committed
     * @param messages the messages, numbered
     */
    record Append(long revision, Instant at, List<StoredMessage> messages) implements LogRecord {
        /**
         * Validates and copies.
         *
         * @param revision the revision after the change
         * @param at       when it committed
         * @param messages the messages, numbered, at least one
         */
        public Append {
            check(revision, at);
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw PalimpsestException.invalid("an append record holds at least one message");
            }
        }
    }

    /**
     * A compaction committed: the rounds up to {@code throughRound} folded into a new context.
     *
     * @param revision          the revision after the change
     * @param at                when it committed
     * @param throughRound      the last round folded
     * @param compressedContext the new compressed context
     * @param contextTokens     its token estimate
     */
    record Compaction(long revision, Instant at, long throughRound, String compressedContext,
                      long contextTokens) implements LogRecord {
        /**
         * Validates.
         *
         * @param revision          the revision after the change
         * @param at                when it committed
         * @param throughRound      the last round folded
         * @param compressedContext the new compressed context
         * @param contextTokens     its token estimate
         */
        public Compaction {
            check(revision, at);
            if (throughRound < 1 || contextTokens < 0 || compressedContext == null) {
                throw PalimpsestException.invalid("a compaction record needs through_round >= 1,"
                        + " a context and context_tokens >= 0");
            }
        }
    }

    /**
     * A compaction failed; only its counter changes.
     *
     * @param revision the revision after the change
     * @param at       when it failed
     */
    record CompactionFailure(long revision, Instant at) implements LogRecord {
        /**
         * Validates.
         *
         * @param revision the revision after the change
         * @param at       when it failed
         */
        public CompactionFailure {
            check(revision, at);
        }
    }

    private static void check(long revision, Instant at) {
        if (revision < 1 || at == null) {
            throw PalimpsestException.invalid("a log record needs a revision >= 1 and a time, was "
                    + revision + " at " + at);
        }
    }
}
