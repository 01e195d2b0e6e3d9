package dev.palimpsest.cli;

import java.io.Serial;

/**
 * The reader of standard output went away (a pipe into {@code head} that has read enough). It
 * is unchecked so that it passes through {@link java.io.PrintStream}, which would otherwise
 * swallow the write error and let a long command run to its end for nobody. The launcher ends
 * at once with {@link ExitCode#CLOSED_PIPE} and no message, as Unix tools do on SIGPIPE.
 */
final class StandardOutputClosedException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    StandardOutputClosedException(Throwable cause) {
        super("standard output was closed by its reader", cause);
    }
}
