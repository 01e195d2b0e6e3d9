package dev.palimpsest.core;

import java.io.Serial;

/**
 * A model value was rejected because it can never be valid; the message names the offending
 * field and value.
 *
 * <p>This is the one exception family of the core module. It extends
 * {@link IllegalArgumentException} because it always signals a caller's bad argument.
 */
public class InvalidModelException extends IllegalArgumentException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was rejected and why, naming the offending value
     */
    public InvalidModelException(String message) {
        super(message);
    }
}
