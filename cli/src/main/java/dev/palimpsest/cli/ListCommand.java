package dev.palimpsest.cli;

import dev.palimpsest.persist.ConversationListing;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.ConversationSummary;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest list}: every stored conversation. */
final class ListCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("list", "List the stored conversations, ordered by id.",
                "--json prints a JSON array of {conv_id, revision, updated_at, counters}.",
                "State files that cannot be read are skipped; standard error says how many "
                        + "('palimpsest check' names them), and the exit code stays 0.");
        spec.addOption(Specs.flag("--json", "Print a JSON array."));
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        PrintStream out = invocation.terminal().out();
        try (ConversationStore store = invocation.session().openStore()) {
            ConversationListing listing = store.listing();
            List<ConversationSummary> summaries = listing.conversations();
            if (invocation.flag("--json")) {
                try (JsonOutput output = new JsonOutput(out)) {
                    output.summaries(summaries);
                }
            } else if (summaries.isEmpty()) {
                out.println("no conversations under " + store.root());
            } else {
                // Locale.ROOT: digits and padding must not follow the operator's locale.
                out.print(String.format(Locale.ROOT, "%-10s %-8s %-11s %-24s %s%n", "ROUNDS",
                        "REVISION", "COMPACTIONS", "UPDATED_AT", "ID"));
                for (ConversationSummary s : summaries) {
                    out.print(String.format(Locale.ROOT, "%-10d %-8d %-11d %-24s %s%n",
                            s.counters().roundsTotal(), s.revision(), s.counters().compactions(),
                            s.updatedAt(), Text.oneLine(s.convId())));
                }
            }
            out.flush();
            int skipped = listing.skipped().size();
            if (skipped > 0) {
                invocation.terminal().err().println("palimpsest list: skipped " + skipped
                        + (skipped == 1 ? " state file that cannot be read"
                                : " state files that cannot be read")
                        + "; run 'palimpsest check' to see which and why");
            }
        }
        return ExitCode.OK;
    }
}
