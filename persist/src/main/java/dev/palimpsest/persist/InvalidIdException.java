package dev.palimpsest.persist;

import java.io.Serial;

/**
 * A conversation id was rejected because it can never be stored: it is empty, holds an unpaired
 * surrogate, or is longer than 1,024 UTF-8 bytes.
 */
public class InvalidIdException extends StoreException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param convId the rejected id (possibly empty)
     * @param detail why it was rejected
     */
    public InvalidIdException(String convId, String detail) {
        super(convId, "invalid conversation id: " + detail, null);
    }
}
