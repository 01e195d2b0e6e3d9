package dev.palimpsest.persist;

import java.io.Serial;
import java.nio.file.Path;

/**
 * A stored file cannot be read: it is malformed, too large, of a newer schema, or holds values
 * the model rejects. The file is left untouched.
 */
public class CorruptStateException extends StoreException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** Why a file could not be read. */
    public enum Reason {
        /** Not valid JSON of the expected shape (empty, truncated, invalid UTF-8, duplicate keys,
         *  wrong types, too deeply nested). */
        MALFORMED,
        /** Larger than the configured limit. */
        TOO_LARGE,
        /** Written by a newer version, with a schema version this one does not know. */
        NEWER_SCHEMA,
        /** Well-formed, but its values contradict each other (the model rejects them). */
        INVALID_CONTENT
    }

    private final transient Path file;
    /** Why the file is unreadable. */
    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param convId the conversation concerned
     * @param file   the unreadable file
     * @param reason why it is unreadable
     * @param detail a one-line explanation
     * @param cause  the cause, or {@code null}
     */
    public CorruptStateException(String convId, Path file, Reason reason, String detail,
                                 Throwable cause) {
        super(convId, "unreadable state file " + file + ": " + detail, cause);
        this.file = file;
        this.reason = reason;
    }

    /**
     * Returns the unreadable file.
     *
     * @return its path
     */
    public Path file() {
        return file;
    }

    /**
     * Returns why the file is unreadable.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }
}
