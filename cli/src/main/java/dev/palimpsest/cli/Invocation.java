package dev.palimpsest.cli;

import java.util.List;
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

    /** Returns the conversation id (the first positional parameter). */
    String id() {
        return parsed.matchedPositionalValue(0, null);
    }
}
