package dev.palimpsest.persist;

import java.io.Serial;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * An I/O step failed. Unless it is a {@link DurabilityUnknownException}, the previous state file
 * is unchanged and no temp file remains. The message reads "step failed: file: what the system
 * said", in words ("permission denied", "no space left on device"), not exception names; the
 * cause keeps the original error.
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
        super(convId, what + ": " + file + (cause == null ? "" : ": " + describe(cause, file)),
                cause);
        this.step = step;
        this.file = file;
    }

    /** Says what an I/O error was, in words, naming its file if it is not {@code file}. */
    private static String describe(Throwable cause, Path file) {
        String what;
        if (cause instanceof FileLockInterruptionException
                || cause instanceof ClosedByInterruptException) {
            return "the thread was interrupted";
        } else if (cause instanceof AccessDeniedException) {
            what = "permission denied";
        } else if (cause instanceof NoSuchFileException) {
            what = "no such file or directory";
        } else if (cause instanceof NotDirectoryException) {
            what = "not a directory";
        } else if (cause instanceof FileSystemException fs && fs.getReason() != null) {
            what = fs.getReason();
        } else if (cause.getMessage() != null && !cause.getMessage().isBlank()) {
            return cause.getMessage();
        } else {
            return "an I/O error without further detail";
        }
        if (cause instanceof FileSystemException fs && fs.getFile() != null
                && !fs.getFile().equals(String.valueOf(file))) {
            what += " (" + fs.getFile() + (fs.getOtherFile() == null ? ""
                    : " -> " + fs.getOtherFile()) + ")";
        }
        return what;
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
