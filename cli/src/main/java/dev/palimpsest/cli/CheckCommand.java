package dev.palimpsest.cli;

import dev.palimpsest.store.file.CheckReport;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest check}: finds torn log tails, damaged logs, unreadable checkpoints and temp
 * files left by crashed writers. Without {@code --repair} it changes nothing.
 */
final class CheckCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("check", "Check every conversation under <root>/sm/: "
                + "torn log tails, logs damaged before their end, unreadable checkpoints, "
                + "temp files left by crashed writers, and things other than regular files "
                + "(links, directories, FIFOs) at the store's file names.",
                "Without --repair nothing is changed. With --repair a torn tail is cut back, an "
                        + "unreadable checkpoint is rebuilt from the log, a temp file is "
                        + "removed, a link, directory or FIFO at a file's name is moved into "
                        + "sm/quarantine/, and a damaged log is moved with every other file of "
                        + "its conversation into sm/quarantine/ (never deleted; the id then "
                        + "starts empty).",
                "Exit 4 if a damaged log, an unreadable checkpoint or a file that is not a "
                        + "regular file remains unrepaired, 3 if "
                        + "the data root does not exist, else 0.");
        spec.addOption(Specs.flag("--repair", "Repair what was found."));
        spec.addOption(Specs.flag("--json", "Print the report as one JSON object: root, "
                + "conversations, clean, repaired and findings ({file, conv_id, problem, "
                + "detail, repaired})."));
        return spec;
    }

    @Override
    // "try": the progress line is a resource the try block holds without naming it again.
    @SuppressWarnings("try")
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        PrintStream out = terminal.out();
        boolean repair = invocation.flag("--repair");
        Session session = invocation.session();
        if (session.postgres().isPresent()) {
            throw CliException.usage("check verifies the file store's files; a PostgreSQL"
                    + " store's constraints are the database's to hold (see docs/postgres.md)");
        }
        Path dataRoot = session.dataRoot();
        if (!Files.isDirectory(dataRoot)) {
            throw new CliException(ExitCode.NO_SUCH_CONVERSATION, "the data root " + dataRoot
                    + " does not exist, so there is nothing to check; give the root with "
                    + "--root or $" + Session.HOME_VARIABLE, null);
        }
        CheckReport report;
        Path root;
        try (FileConversationStore store = FileConversationStore.open(dataRoot,
                session.config().storeOptions());
             Progress progress = Progress.start(terminal, "palimpsest check: checking "
                     + "conversations" + (repair ? " and repairing" : ""))) {
            root = store.root();
            report = store.check(repair);
        }
        boolean unreadableLeft = report.findings().stream().anyMatch(f -> !f.repaired()
                && (f.problem() == CheckReport.Problem.DAMAGED_LOG
                        || f.problem() == CheckReport.Problem.UNREADABLE_CHECKPOINT
                        || f.problem() == CheckReport.Problem.NOT_REGULAR_FILE));
        if (invocation.flag("--json")) {
            try (JsonOutput json = new JsonOutput(out)) {
                json.checkReport(root, report);
            }
            return unreadableLeft ? ExitCode.UNREADABLE_STATE : ExitCode.OK;
        }
        for (CheckReport.Finding finding : report.findings()) {
            out.println(finding.problem().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                    + ": " + root.resolve("sm").resolve(finding.file()) + ": "
                    + Text.oneLine(finding.detail()) + (finding.repaired() ? " -> repaired" : ""));
        }
        out.println("checked " + report.conversations() + " conversation"
                + (report.conversations() == 1 ? "" : "s") + ": "
                + (report.clean() ? "clean" : report.findings().size() + " finding(s)"
                + (repair ? ", repaired" : "; run 'palimpsest check --repair' to repair")));
        return unreadableLeft ? ExitCode.UNREADABLE_STATE : ExitCode.OK;
    }
}
