package dev.palimpsest.cli;

import dev.palimpsest.core.InvalidModelException;
import dev.palimpsest.engine.EngineException;
import dev.palimpsest.engine.SequenceConflictException;
import dev.palimpsest.engine.SummarizerException;
import dev.palimpsest.persist.ConflictException;
import dev.palimpsest.persist.CorruptStateException;
import dev.palimpsest.persist.IdCollisionException;
import dev.palimpsest.persist.InvalidIdException;
import dev.palimpsest.persist.StateTooLargeException;
import dev.palimpsest.persist.StoreException;
import dev.palimpsest.persist.StoreIOException;
import java.io.PrintStream;

/**
 * Maps a failure to its exit code and its one-line message on standard error. Only the type of
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
        if (failure instanceof InvalidIdException || failure instanceof InvalidModelException
                || failure instanceof StateTooLargeException) {
            // The input was rejected before anything was written: a bad id, a text that is not
            // Unicode, or a round that would make the state file larger than the store's limit.
            return ExitCode.USAGE;
        }
        if (failure instanceof CorruptStateException || failure instanceof IdCollisionException) {
            return ExitCode.UNREADABLE_STATE;
        }
        if (failure instanceof ConflictException
                || failure instanceof SequenceConflictException) {
            return ExitCode.CONFLICT;
        }
        if (failure instanceof StoreIOException) {
            return ExitCode.IO;
        }
        if (failure instanceof SummarizerException) {
            return ExitCode.SUMMARIZER_FAILED;
        }
        if (failure.getClass() == EngineException.class) {
            // The engine's own failures besides the two above concern stored history it cannot
            // read back (a transcript whose archive lacks rounds the state says were compacted).
            return ExitCode.UNREADABLE_STATE;
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
        if (id == null && failure instanceof StoreException store) {
            id = store.convId().orElse(null);
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
