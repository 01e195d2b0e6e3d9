package dev.palimpsest.cli;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.ConversationStore;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest transcript}: every message ever appended, compacted or recent, in order, read
 * from the log. The rounds are read a page at a time, so a transcript of any length prints in
 * bounded memory, and a range read costs about the same at round 100,000 as at round 100 (the
 * store's sparse index finds the start).
 */
final class TranscriptCommand implements Subcommand {
    /** Rounds read from the store per call. */
    static final int PAGE_ROUNDS = 256;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("transcript", "Print every message ever appended, round "
                + "by round, in order: the compacted rounds too (the log keeps them all).",
                "--json prints a JSON array of rounds ({seq, messages}, the messages in the "
                        + "fields of docs/format.md); --jsonl prints one message per line.");
        spec.addOption(Specs.flag("--json", "Print a JSON array of rounds, pretty-printed."));
        spec.addOption(Specs.flag("--jsonl", "Print one JSON message per line (JSON Lines)."));
        spec.addOption(Specs.option("--from", "SEQ", Long.class,
                "The first round to print (default 1)."));
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
        boolean json = invocation.flag("--json");
        boolean jsonl = invocation.flag("--jsonl");
        if (json && jsonl) {
            throw CliException.usage("give --json or --jsonl, not both");
        }
        if (fromSeq < 1) {
            throw CliException.usage("--from must be at least 1, was " + fromSeq);
        }
        if (limit != null && limit < 0) {
            throw CliException.usage("--limit must be at least 0, was " + limit);
        }
        Terminal terminal = invocation.terminal();
        PrintStream out = terminal.out();
        try (ConversationStore store = invocation.session().openStoreToRead(convId)) {
            StoredConversations.require(store, convId);
            // A transcript scrolling by on the terminal is its own progress; one written to a
            // file or a pipe is silent, so the line on standard error says how far it got.
            boolean quiet = terminal.outIsTerminal();
            try (Progress progress = Progress.start(quiet ? Terminal.silent(terminal) : terminal,
                    "palimpsest transcript: " + Text.quote(convId))) {
                StoredJson array = json ? StoredJson.array(out) : null;
                long next = fromSeq;
                long left = limit == null ? Long.MAX_VALUE : limit;
                boolean first = true;
                while (left > 0) {
                    List<Round> page = store.rounds(convId, next,
                            (int) Math.min(PAGE_ROUNDS, left));
                    for (Round round : page) {
                        if (json) {
                            array.round(round);
                        } else if (jsonl) {
                            round.messages().forEach(m -> StoredJson.line(out, m));
                        } else {
                            printText(out, round, first);
                        }
                        first = false;
                        progress.update("palimpsest transcript: " + Text.quote(convId)
                                + ": round " + round.seq() + " written");
                    }
                    if (page.size() < Math.min(PAGE_ROUNDS, left)) {
                        break;
                    }
                    left -= page.size();
                    next = page.get(page.size() - 1).seq() + 1;
                }
                if (json) {
                    array.end();
                }
            }
        }
        return ExitCode.OK;
    }

    private static void printText(PrintStream out, Round round, boolean first) {
        if (!first) {
            out.print('\n');
        }
        out.print("[round " + round.seq() + "] " + round.messages().get(0).createdAt() + "\n");
        for (StoredMessage stored : round.messages()) {
            Message m = stored.message();
            out.print(m.role().wireName() + label(m) + ": " + describe(stored) + "\n");
            for (Map.Entry<String, String> entry : m.metadata().entrySet()) {
                out.print("  meta: " + entry.getKey() + "=" + entry.getValue() + "\n");
            }
        }
    }

    /** The message's id and, for a tool result, the call it answers: " (id x, call c)". */
    private static String label(Message m) {
        StringBuilder label = new StringBuilder();
        m.id().ifPresent(id -> label.append("id ").append(Text.oneLine(id)));
        m.toolCallId().ifPresent(call -> label.append(label.length() > 0 ? ", " : "")
                .append(m.toolName().orElse("?")).append(" answering ").append(call));
        return label.length() == 0 ? "" : " (" + label + ")";
    }

    /** The text of a message with its tool calls, as one string. */
    static String describe(StoredMessage stored) {
        Message m = stored.message();
        StringBuilder text = new StringBuilder(m.content());
        for (ToolCall call : m.toolCalls()) {
            if (text.length() > 0) {
                text.append(' ');
            }
            text.append("[calls ").append(call.name()).append(' ').append(call.arguments())
                    .append(" as ").append(call.id()).append(']');
        }
        return text.toString();
    }
}
