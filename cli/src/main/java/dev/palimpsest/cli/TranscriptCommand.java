package dev.palimpsest.cli;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.persist.ConversationStore;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest transcript}: every round ever appended, archived or recent, in order. */
final class TranscriptCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("transcript", "Print every round ever appended, in "
                + "order: the archived rounds, then the recent ones.",
                "--json prints a JSON array of rounds (seq, user, assistant, created_at, "
                        + "metadata).");
        spec.addOption(Specs.flag("--json", "Print a JSON array of rounds."));
        spec.addOption(Specs.option("--from", "SEQ", Long.class,
                "The first sequence number to print (default 1)."));
        spec.addOption(Specs.option("--limit", "N", Integer.class,
                "Print at most N rounds (default: all)."));
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Long from = invocation.value("--from");
        long fromSeq = from == null ? 1 : from;
        Integer limit = invocation.value("--limit");
        String convId = invocation.id();
        if (fromSeq < 1) {
            throw CliException.usage("--from must be at least 1, was " + fromSeq);
        }
        if (limit != null && limit < 0) {
            throw CliException.usage("--limit must be at least 0, was " + limit);
        }
        Terminal terminal = invocation.terminal();
        try (ConversationStore store = invocation.session().openStore()) {
            ConversationEngine engine = ConversationEngine.builder(store).build();
            StoredConversations.require(store, convId);
            // The whole transcript streams from the archive; a range reads only what it needs.
            try (Stream<Round> rounds = limit == null && fromSeq == 1
                    ? engine.transcriptStream(convId)
                    : engine.transcript(convId, fromSeq, limit == null ? Integer.MAX_VALUE : limit)
                            .stream()) {
                // A transcript scrolling by on the terminal is its own progress; one written to a
                // file or a pipe is silent, so the line on standard error says how far it got.
                boolean quiet = terminal.outIsTerminal();
                try (Progress progress = Progress.start(quiet ? Terminal.silent(terminal)
                        : terminal, "palimpsest transcript: " + Text.quote(convId))) {
                    Iterator<Round> counted = counting(rounds.iterator(), progress, convId);
                    if (invocation.flag("--json")) {
                        try (JsonOutput out = new JsonOutput(terminal.out())) {
                            out.rounds(counted);
                        }
                    } else {
                        printText(terminal.out(), counted);
                    }
                }
            }
        }
        return ExitCode.OK;
    }

    /** Reports each round's number to the progress line as the round goes out. */
    private static Iterator<Round> counting(Iterator<Round> rounds, Progress progress,
                                            String convId) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rounds.hasNext();
            }

            @Override
            public Round next() {
                Round round = rounds.next();
                progress.update("palimpsest transcript: " + Text.quote(convId) + ": round "
                        + round.seq() + " written");
                return round;
            }
        };
    }

    private static void printText(PrintStream out, Iterator<Round> rounds) {
        boolean first = true;
        while (rounds.hasNext()) {
            Round round = rounds.next();
            if (!first) {
                out.print('\n');
            }
            first = false;
            out.print("[round " + round.seq() + "] " + round.createdAt() + "\n");
            out.print("user: " + round.user() + "\n");
            out.print("assistant: " + round.assistant() + "\n");
            for (Map.Entry<String, String> entry : round.metadata().entrySet()) {
                out.print("meta: " + entry.getKey() + "=" + entry.getValue() + "\n");
            }
        }
    }
}
