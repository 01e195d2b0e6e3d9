package dev.palimpsest.cli;

import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConversationStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest check}: finds unreadable state files, stale temp files, and what is not a
 * regular file at an archive's or lock file's name. Without {@code --repair} it changes nothing.
 */
final class CheckCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("check", "Check every file under <root>/sm/: unreadable "
                + "state files, temp files left by crashed writers, and anything but a regular "
                + "file where an archive or lock file belongs.",
                "Without --repair nothing is changed. With --repair, stale temp files are "
                        + "removed and unreadable files are renamed aside (never deleted).",
                "Exit 4 if an unreadable file remains in place, 3 if the data root does not "
                        + "exist, else 0.");
        spec.addOption(Specs.flag("--repair",
                "Remove stale temp files, quarantine unreadable files."));
        spec.addOption(Specs.flag("--json", "Print the report as one JSON object: root, "
                + "files_checked, clean, repaired and findings ({file, kind, detail, action, "
                + "moved_to})."));
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        PrintStream out = terminal.out();
        boolean repair = invocation.flag("--repair");
        CheckReport report;
        Path root;
        try (ConversationStore store = invocation.session().openStore();
             Progress progress = Progress.start(terminal, "palimpsest check: listing files")) {
            root = store.root();
            report = store.check(repair, (examined, entries) -> progress.update(
                    "palimpsest check: " + examined + " files examined, of " + entries
                            + " entries"));
            if (!report.rootExists()) {
                throw new CliException(ExitCode.NO_SUCH_CONVERSATION, "the data root "
                        + store.root() + " does not exist, so there is nothing to check; give "
                        + "the root with --root or $" + Session.HOME_VARIABLE, null);
            }
        }
        boolean unreadableLeft = report.findings().stream().anyMatch(f ->
                f.kind() != CheckReport.Kind.STALE_TEMP && f.action() == CheckReport.Action.NONE);
        if (invocation.flag("--json")) {
            try (JsonOutput json = new JsonOutput(out)) {
                json.checkReport(root, report);
            }
            return unreadableLeft ? ExitCode.UNREADABLE_STATE : ExitCode.OK;
        }
        for (CheckReport.Finding finding : report.findings()) {
            String action = switch (finding.action()) {
                case NONE -> "";
                case REMOVED -> " -> removed";
                case QUARANTINED -> " -> quarantined as " + finding.movedTo()
                        .map(Object::toString).orElse("?");
            };
            out.println(finding.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": "
                    + finding.file() + ": " + Text.oneLine(finding.detail()) + action);
        }
        out.println("checked " + report.filesChecked() + " files: "
                + (report.isClean() ? "clean" : report.findings().size() + " finding(s)"
                + (repair ? ", repaired" : "; run 'palimpsest check --repair' to repair")));
        return unreadableLeft ? ExitCode.UNREADABLE_STATE : ExitCode.OK;
    }
}
