package dev.palimpsest.cli;

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
                "--json prints a JSON array of {conv_id, revision, updated_at, counters}.");
        spec.addOption(Specs.flag("--json", "Print a JSON array."));
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        PrintStream out = invocation.terminal().out();
        try (ConversationStore store = invocation.session().openStore()) {
            List<ConversationSummary> summaries = store.list();
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
        }
        return ExitCode.OK;
    }
}
