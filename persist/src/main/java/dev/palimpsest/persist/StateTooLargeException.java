package dev.palimpsest.persist;

import java.io.Serial;

/**
 * A state (or an archive line) was not written because its encoding exceeds the store's size
 * limit ({@link StoreOptions#maxStateBytes()}); a file that large could not be read back. Nothing
 * was written. Compact the conversation, or open the store with a larger limit.
 */
public class StateTooLargeException extends StoreException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The encoded size in bytes. */
    private final long size;
    /** The limit in bytes. */
    private final long limit;

    /**
     * Creates the exception.
     *
     * @param convId the conversation concerned
     * @param size   the encoded size in bytes
     * @param limit  the limit in bytes
     * @param what   what was too large, for the message
     */
    public StateTooLargeException(String convId, long size, long limit, String what) {
        super(convId, "state too large to write: " + what + " of '" + convId + "' is " + size
                + " bytes, the limit is " + limit, null);
        this.size = size;
        this.limit = limit;
    }

    /**
     * Returns the encoded size that was rejected.
     *
     * @return the size in bytes
     */
    public long size() {
        return size;
    }

    /**
     * Returns the limit it exceeded.
     *
     * @return the limit in bytes
     */
    public long limit() {
        return limit;
    }
}
