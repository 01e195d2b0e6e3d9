package dev.palimpsest.engine;

import java.io.Serial;

/**
 * An append that expected a sequence number found the conversation elsewhere: either the round at
 * that number holds other texts, or the number is not the next one. Nothing was written.
 */
public class SequenceConflictException extends EngineException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The sequence number the caller expected its round to get. */
    private final long expectedSeq;
    /** The sequence number the next appended round would get. */
    private final long nextSeq;

    /**
     * Creates the exception.
     *
     * @param convId      the conversation concerned
     * @param expectedSeq the sequence number the caller expected its round to get
     * @param nextSeq     the sequence number the next appended round would get now
     * @param detail      why the expectation does not hold
     */
    public SequenceConflictException(String convId, long expectedSeq, long nextSeq,
                                     String detail) {
        super(convId, "sequence conflict on '" + convId + "': expected seq " + expectedSeq
                + ", next seq is " + nextSeq + ": " + detail, null);
        this.expectedSeq = expectedSeq;
        this.nextSeq = nextSeq;
    }

    /**
     * Returns the sequence number the caller expected.
     *
     * @return the expected sequence number
     */
    public long expectedSeq() {
        return expectedSeq;
    }

    /**
     * Returns the sequence number the next appended round would get when the conflict was found
     * (the conversation's {@code rounds_total + 1}).
     *
     * @return the actual next sequence number
     */
    public long actualNextSeq() {
        return nextSeq;
    }
}
