package dev.palimpsest.persist;

import java.io.Serial;
import java.nio.file.Path;

/**
 * A stored file cannot be read: it is malformed, too large, of a newer schema, holds values the
 * model rejects, or is not a regular file at all (a symbolic link, a directory, a FIFO). The file
 * is left untouched.
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
        INVALID_CONTENT,
        /** Not a regular file: a symbolic link, a directory, a FIFO, a socket or a device, which
         *  the store never opens (a link may lead anywhere, a FIFO may block forever). */
        NOT_A_REGULAR_FILE
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
        this(convId, file, "unreadable state file", reason, detail, cause);
    }

    /**
     * Creates the exception for a file that is not a state file (an archive, a lock file).
     *
     * @param convId the conversation concerned, or {@code null}
     * @param file   the unreadable file
     * @param what   what the file is, for the message, for example "unreadable archive"
     * @param reason why it is unreadable
     * @param detail a one-line explanation
     * @param cause  the cause, or {@code null}
     */
    public CorruptStateException(String convId, Path file, String what, Reason reason,
                                 String detail, Throwable cause) {
        super(convId, what + " " + file + ": " + detail, cause);
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
