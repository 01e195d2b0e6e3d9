package dev.palimpsest.persist;

import java.io.Serial;

/**
 * An optimistic save lost a race: the stored revision is not the one the caller read. Load the
 * conversation again and reapply the change (or use {@link ConversationStore#update}).
 */
public class ConflictException extends StoreException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The revision the caller read. */
    private final long expectedRevision;
    /** The revision stored when the save was refused. */
    private final long actualRevision;

    /**
     * Creates the exception.
     *
     * @param convId           the conversation concerned
     * @param expectedRevision the revision the caller read
     * @param actualRevision   the revision stored now
     */
    public ConflictException(String convId, long expectedRevision, long actualRevision) {
        super(convId, "revision conflict on '" + convId + "': expected revision "
                + expectedRevision + ", stored revision is " + actualRevision, null);
        this.expectedRevision = expectedRevision;
        this.actualRevision = actualRevision;
    }

    /**
     * Returns the revision the caller read.
     *
     * @return the expected revision
     */
    public long expectedRevision() {
        return expectedRevision;
    }

    /**
     * Returns the revision stored when the save was attempted.
     *
     * @return the actual revision
     */
    public long actualRevision() {
        return actualRevision;
    }
}
