package dev.palimpsest.persist;

import java.io.Serial;
import java.nio.file.Path;

/**
 * An I/O step failed. Unless it is a {@link DurabilityUnknownException}, the previous state file
 * is unchanged and no temp file remains.
 */
public class StoreIOException extends StoreException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The step of the store's protocols that failed. */
    public enum Step {
        /** Creating {@code sm/} or its parents. */
        CREATE_DIRECTORY,
        /** Creating a temp file (or opening the archive or a lock file). */
        CREATE,
        /** Writing bytes. */
        WRITE,
        /** Forcing a file to stable storage. */
        FSYNC,
        /** Closing a written file. */
        CLOSE,
        /** Renaming the temp file over the state file. */
        RENAME,
        /** Forcing the directory to stable storage. */
        DIRECTORY_FSYNC,
        /** Reading a file or listing the directory. */
        READ,
        /** Taking a conversation's lock. */
        LOCK,
        /** Deleting a file. */
        DELETE
    }

    /** The step that failed. */
    private final Step step;
    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param convId the conversation concerned, or {@code null}
     * @param step   the step that failed
     * @param file   the file the step worked on
     * @param cause  the underlying I/O error
     */
    public StoreIOException(String convId, Step step, Path file, Throwable cause) {
        this(convId, step, file, step.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                + " failed", cause);
    }

    /**
     * Creates the exception with a custom lead-in.
     *
     * @param convId  the conversation concerned, or {@code null}
     * @param step    the step that failed
     * @param file    the file the step worked on
     * @param what    what failed, for the message
     * @param cause   the underlying I/O error
     */
    protected StoreIOException(String convId, Step step, Path file, String what,
                               Throwable cause) {
        super(convId, what + ": " + file + (cause == null ? "" : ": " + cause), cause);
        this.step = step;
        this.file = file;
    }

    /**
     * Returns the step that failed.
     *
     * @return the step
     */
    public Step step() {
        return step;
    }

    /**
     * Returns the file the step worked on.
     *
     * @return the file
     */
    public Path file() {
        return file;
    }
}
