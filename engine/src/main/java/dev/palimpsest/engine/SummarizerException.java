package dev.palimpsest.engine;

import java.io.Serial;

/**
 * A summarizer failed, timed out, or returned something that cannot be a summary. The rounds it
 * was asked to fold stay verbatim; nothing of the failure ever becomes the compressed context.
 */
public class SummarizerException extends EngineException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param convId  the conversation concerned, or {@code null} if unknown to the summarizer
     * @param message what failed: detail
     * @param cause   the cause, or {@code null}
     */
    public SummarizerException(String convId, String message, Throwable cause) {
        super(convId, message, cause);
    }
}
