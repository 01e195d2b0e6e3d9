package dev.palimpsest.cli;

import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.SummaryPage;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest list}: every stored conversation. */
final class ListCommand implements Subcommand {
    /** Ids listed per call to the store; each call reads sm/ whole, so pages are large. */
    private static final int PAGE = 10_000;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("list", "List the stored conversations, ordered by id.",
                "--json prints a JSON array of {conv_id, revision, updated_at, counters}.",
                "Conversations that cannot be read are skipped; standard error says how many "
                        + "('palimpsest check' names them), and the exit code stays 0.");
        spec.addOption(Specs.flag("--json", "Print a JSON array."));
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        PrintStream out = invocation.terminal().out();
        Session session = invocation.session();
        List<ConversationSummary> states = new ArrayList<>();
        int skipped = 0;
        String where = session.storeDisplay();
        Optional<ConversationStore> opened = session.openStoreIfAny();
        if (opened.isPresent()) {
            try (ConversationStore store = opened.get()) {
                if (store instanceof FileConversationStore files) {
                    where = files.root().toString();
                }
                Optional<String> after = Optional.empty();
                do {
                    SummaryPage page = store.summaries(after, PAGE);
                    states.addAll(page.summaries());
                    skipped += page.unreadable().size();
                    after = page.next();
                } while (after.isPresent());
            }
        }
        if (invocation.flag("--json")) {
            try (JsonOutput output = new JsonOutput(out)) {
                output.summaries(states);
            }
        } else if (states.isEmpty()) {
            out.println("no conversations under " + where);
        } else {
            printTable(out, states);
        }
        out.flush();
        if (skipped > 0) {
            invocation.terminal().err().println("palimpsest list: skipped " + skipped
                    + (skipped == 1 ? " conversation that cannot be read"
                            : " conversations that cannot be read")
                    + "; run 'palimpsest check' to see which and why");
        }
        return ExitCode.OK;
    }

    /**
     * Prints the summaries as a table whose columns are as wide as their widest value: update
     * times carry as many fraction digits as the clock gave (up to nine), so fixed widths would
     * misalign.
     */
    static void printTable(PrintStream out, List<ConversationSummary> summaries) {
        String[] header = {"ROUNDS", "REVISION", "COMPACTIONS", "UPDATED_AT", "ID"};
        List<String[]> rows = new java.util.ArrayList<>();
        for (ConversationSummary s : summaries) {
            rows.add(new String[] {Long.toString(s.counters().roundsTotal()),
                Long.toString(s.revision()), Long.toString(s.counters().compactions()),
                s.updatedAt().toString(), Text.oneLine(s.convId())});
        }
        int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            widths[i] = header[i].length();
            for (String[] row : rows) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        printRow(out, header, widths);
        for (String[] row : rows) {
            printRow(out, row, widths);
        }
    }

    private static void printRow(PrintStream out, String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            line.append(cells[i]);
            if (i < cells.length - 1) {
                // The id is last and not padded: no trailing blanks.
                line.append(" ".repeat(widths[i] - cells[i].length() + 1));
            }
        }
        out.print(line.append('\n'));
    }
}
