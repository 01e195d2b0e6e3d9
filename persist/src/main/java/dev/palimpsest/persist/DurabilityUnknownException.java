package dev.palimpsest.persist;

import java.io.Serial;
import java.nio.file.Path;

/**
 * The new state file was renamed into place, but a later step (the directory fsync) failed: the
 * change is visible now, but may not survive a power loss. Retrying the same change is safe with
 * idempotent operations (an append with an expected sequence number).
 */
public class DurabilityUnknownException extends StoreIOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param convId the conversation concerned
     * @param step   the step that failed after the rename
     * @param file   the state file
     * @param cause  the underlying I/O error
     */
    public DurabilityUnknownException(String convId, Step step, Path file, Throwable cause) {
        super(convId, step, file, "saved, durability unknown ("
                + step.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + " failed)",
                cause);
    }
}
