package dev.palimpsest.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** A parsed subcommand, with typed access to its options, and the session it runs in. */
final class Invocation {
    private final Session session;
    private final ParseResult parsed;

    Invocation(Session session, ParseResult parsed) {
        this.session = session;
        this.parsed = parsed;
    }

    Session session() {
        return session;
    }

    Terminal terminal() {
        return session.terminal();
    }

    /** Tells whether a flag was given. */
    boolean flag(String name) {
        return parsed.matchedOptionValue(name, Boolean.FALSE);
    }

    /** Returns an option's value, or {@code null} when it was not given. */
    <T> T value(String name) {
        return parsed.matchedOptionValue(name, null);
    }

    /** Returns every value of a repeatable option, in order. */
    List<String> values(String name) {
        return parsed.matchedOptionValue(name, List.of());
    }

    /**
     * Returns the conversation id (the first positional parameter), or {@code null} for a
     * command that takes none.
     */
    String id() {
        boolean takesId = parsed.commandSpec().positionalParameters().stream()
                .anyMatch(p -> p.index().min() == 0 && "ID".equals(p.paramLabel()));
        return takesId ? parsed.matchedPositionalValue(0, null) : null;
    }

    /** Returns a positional parameter, or {@code null} when it was not given. */
    String positional(int index) {
        return parsed.matchedPositionalValue(index, null);
    }

    /** Returns the whole launcher's command line, every command's model included. */
    CommandLine topCommandLine() {
        return parsed.commandSpec().root().commandLine();
    }
}
