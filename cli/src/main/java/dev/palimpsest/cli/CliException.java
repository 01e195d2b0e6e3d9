package dev.palimpsest.cli;

import java.io.Serial;

/**
 * The launcher's own failure (bad input, a missing conversation), carrying the exit code it ends
 * the process with. Failures of the engine and the store keep their own types; {@link ErrorReport}
 * maps those.
 */
public final class CliException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The process exit code, one of {@link ExitCode}. */
    private final int exitCode;

    /**
     * Creates the exception.
     *
     * @param exitCode the process exit code, one of {@link ExitCode}
     * @param message  what failed: detail
     * @param cause    the cause, or {@code null}
     */
    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * A rejected argument, input file or configuration.
     *
     * @param message what was rejected and why
     * @return the exception, exit code {@link ExitCode#USAGE}
     */
    static CliException usage(String message) {
        return new CliException(ExitCode.USAGE, message, null);
    }

    /**
     * A rejected argument, input file or configuration, with its cause.
     *
     * @param message what was rejected and why
     * @param cause   the cause
     * @return the exception, exit code {@link ExitCode#USAGE}
     */
    static CliException usage(String message, Throwable cause) {
        return new CliException(ExitCode.USAGE, message, cause);
    }

    /**
     * The conversation was never stored.
     *
     * @param convId the conversation id
     * @return the exception, exit code {@link ExitCode#NO_SUCH_CONVERSATION}
     */
    static CliException noSuchConversation(String convId) {
        return new CliException(ExitCode.NO_SUCH_CONVERSATION,
                "no such conversation (never stored, or deleted)", null);
    }

    /**
     * Returns the exit code.
     *
     * @return one of {@link ExitCode}
     */
    public int exitCode() {
        return exitCode;
    }
}
