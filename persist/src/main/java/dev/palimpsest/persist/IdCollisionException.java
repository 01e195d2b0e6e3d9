package dev.palimpsest.persist;

import java.io.Serial;
import java.nio.file.Path;

/**
 * The file a conversation id maps to holds another conversation's id: two ids share one file (for
 * example {@code Abc} and {@code abc} on a case-insensitive file system, or a hashed stem). The
 * file is left untouched and nothing is written over it.
 */
public class IdCollisionException extends StoreException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The id the shared file holds. */
    private final String storedId;

    /**
     * Creates the exception.
     *
     * @param convId   the id that was asked for
     * @param storedId the id the file holds
     * @param file     the shared file
     */
    public IdCollisionException(String convId, String storedId, Path file) {
        super(convId, "conversation id collision: " + file + " holds '" + storedId
                + "', not '" + convId + "'", null);
        this.storedId = storedId;
    }

    /**
     * Returns the id that the shared file holds.
     *
     * @return the stored id
     */
    public String storedId() {
        return storedId;
    }
}
