package dev.palimpsest.cli;

/**
 * The launcher's exit codes. Scripts depend on them: never renumber.
 */
public final class ExitCode {
    /** The command did what it was asked. */
    public static final int OK = 0;
    /** An unexpected internal error (a bug). */
    public static final int INTERNAL = 1;
    /** The command line, an input file, {@code config.json} or a conversation id was rejected. */
    public static final int USAGE = 2;
    /** The conversation was never stored (or was deleted). */
    public static final int NO_SUCH_CONVERSATION = 3;
    /** A stored file is unreadable: corrupt, of a newer schema, another id's, or not a regular
     *  file (a FIFO, a directory, a symbolic link) where the store keeps one of its files. */
    public static final int UNREADABLE_STATE = 4;
    /** A concurrent change won: the expected sequence number or revision has moved on. */
    public static final int CONFLICT = 5;
    /**
     * An I/O step failed, including "saved, durability unknown", and a failed write to standard
     * output other than its reader going away.
     */
    public static final int IO = 6;
    /** The summarizer failed during {@code compact}. */
    public static final int SUMMARIZER_FAILED = 7;
    /** Interrupted by SIGINT before the command's result was printed (128 + 2). */
    public static final int INTERRUPTED = 130;
    /**
     * The reader of standard output went away (128 + SIGPIPE, what a shell reports for a Unix
     * tool killed by SIGPIPE); nothing is printed.
     */
    public static final int CLOSED_PIPE = 141;
    /** Terminated by SIGTERM before the command's result was printed (128 + 15). */
    public static final int TERMINATED = 143;

    private ExitCode() {
    }
}
