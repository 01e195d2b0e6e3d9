package dev.palimpsest.store;

import dev.palimpsest.model.PalimpsestException;

/**
 * What a caller expects of a conversation when it changes it; a change whose expectation no
 * longer holds fails with {@code REVISION_MISMATCH} and changes nothing. A retry of an append
 * whose messages are all stored already succeeds whatever the expectation, since it held the
 * first time.
 *
 * @param kind  what is expected
 * @param value the expected number; 0 for {@link Kind#NONE}
 */
public record Expectation(Kind kind, long value) {
    /** What an expectation is about. */
    public enum Kind {
        /** Nothing: the change applies to whatever is stored. */
        NONE,
        /** The conversation's revision ({@code If-Match} of the HTTP API); 0 means never stored. */
        REVISION,
        /** The seq the first appended message will get. */
        NEXT_MESSAGE_SEQ,
        /** The seq of the round the append opens; it must open one ({@code --expect-seq}). */
        NEXT_ROUND_SEQ
    }

    private static final Expectation NONE = new Expectation(Kind.NONE, 0);

    /**
     * Validates the kind and value.
     *
     * @param kind  what is expected
     * @param value the expected number; 0 for {@link Kind#NONE}
     */
    public Expectation {
        if (kind == null) {
            throw PalimpsestException.invalid("expectation kind must not be null");
        }
        long min = switch (kind) {
            case NONE, REVISION -> 0;
            case NEXT_MESSAGE_SEQ, NEXT_ROUND_SEQ -> 1;
        };
        if (value < min || (kind == Kind.NONE && value != 0)) {
            throw PalimpsestException.invalid("expected " + kind + " must be >= " + min
                    + ", was " + value);
        }
    }

    /** {@return no expectation} */
    public static Expectation none() {
        return NONE;
    }

    /**
     * {@return an expectation of the conversation's revision}
     *
     * @param revision the revision; 0 for a conversation that must not exist yet
     */
    public static Expectation revision(long revision) {
        return new Expectation(Kind.REVISION, revision);
    }

    /**
     * {@return an expectation of the seq the first appended message gets}
     *
     * @param seq the seq
     */
    public static Expectation nextMessageSeq(long seq) {
        return new Expectation(Kind.NEXT_MESSAGE_SEQ, seq);
    }

    /**
     * {@return an expectation of the seq of the round the append opens}
     *
     * @param seq the round's seq
     */
    public static Expectation nextRoundSeq(long seq) {
        return new Expectation(Kind.NEXT_ROUND_SEQ, seq);
    }
}
