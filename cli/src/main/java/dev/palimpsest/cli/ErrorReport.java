package dev.palimpsest.cli;

import dev.palimpsest.model.PalimpsestException;
import java.io.PrintStream;

/**
 * Maps a failure to its exit code and its one-line message on standard error. Only the kind of
 * the failure decides the code, so every command reports the same failure the same way.
 */
final class ErrorReport {
    private ErrorReport() {
    }

    /**
     * Returns the exit code for a failure.
     *
     * @param failure what a command threw
     * @return one of {@link ExitCode}
     */
    static int exitCode(Throwable failure) {
        if (failure instanceof CliException cli) {
            return cli.exitCode();
        }
        if (failure instanceof PalimpsestException typed) {
            // Every failure of the model, the stores and the engine carries its kind, and the
            // kind carries its exit code (docs/cli.md lists them).
            return typed.kind().exitCode();
        }
        return ExitCode.INTERNAL;
    }

    /**
     * Prints the one-line report of a failure (and, with {@code debug}, its stack trace).
     *
     * @param err     standard error
     * @param command the command's name, for example {@code palimpsest show}
     * @param convId  the conversation the command was about, or {@code null}
     * @param failure what the command threw
     * @param debug   whether to print the stack trace
     * @return the exit code
     */
    static int report(PrintStream err, String command, String convId, Throwable failure,
                      boolean debug) {
        int code = exitCode(failure);
        StringBuilder line = new StringBuilder(command).append(": ");
        String id = convId;
        if (id == null && failure instanceof PalimpsestException typed) {
            id = typed.convId().orElse(null);
        }
        if (id != null) {
            line.append("conversation ").append(Text.quote(id)).append(": ");
        }
        if (code == ExitCode.INTERNAL) {
            line.append("internal error: ").append(failure.getClass().getName()).append(": ");
        }
        line.append(Text.oneLine(String.valueOf(failure.getMessage())));
        if (code == ExitCode.INTERNAL && !debug) {
            line.append(" (run with --debug for the stack trace)");
        }
        err.println(line);
        if (debug) {
            failure.printStackTrace(err);
        }
        err.flush();
        return code;
    }
}
