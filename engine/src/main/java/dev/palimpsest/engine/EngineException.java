package dev.palimpsest.engine;

import java.io.Serial;
import java.util.Optional;

/**
 * The one unchecked exception family of the engine. Each carries the conversation id it concerns
 * (when there is one) and the cause; messages read "what failed: detail".
 *
 * <p>Failures of the store are not wrapped: {@code StoreException} and its subtypes from
 * {@code dev.palimpsest.persist} pass through the engine unchanged, so callers can tell an I/O
 * failure from a conflict or a corrupt file.
 */
public class EngineException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The conversation concerned, or null when the failure concerns no single conversation. */
    private final String convId;

    /**
     * Creates the exception.
     *
     * @param convId  the conversation concerned, or {@code null} if none
     * @param message what failed: detail
     * @param cause   the cause, or {@code null}
     */
    public EngineException(String convId, String message, Throwable cause) {
        super(message, cause);
        this.convId = convId;
    }

    /**
     * Returns the conversation this failure concerns.
     *
     * @return the conversation id, empty when the failure concerns no single conversation
     */
    public Optional<String> convId() {
        return Optional.ofNullable(convId);
    }
}
