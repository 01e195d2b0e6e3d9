package dev.palimpsest.cli;

import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConversationStore;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code palimpsest check}: finds unreadable state files and stale temp files. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Check every file under <root>/sm/: unreadable state files and temp "
                + "files left by crashed writers.",
                "With --repair, stale temp files are removed and unreadable files are renamed "
                        + "aside (never deleted).",
                "Exit 4 if an unreadable state file remains in place, else 0."})
final class CheckCommand implements Callable<Integer> {
    @ParentCommand
    PalimpsestCommand top;

    @Option(names = "--repair", description = "Remove stale temp files, quarantine unreadable "
            + "state files.")
    boolean repair;

    @Override
    public Integer call() {
        PrintStream out = top.terminal().out();
        CheckReport report;
        try (ConversationStore store = top.openStore()) {
            report = store.check(repair);
        }
        boolean unreadableLeft = false;
        for (CheckReport.Finding finding : report.findings()) {
            String action = switch (finding.action()) {
                case NONE -> "";
                case REMOVED -> " -> removed";
                case QUARANTINED -> " -> quarantined as " + finding.movedTo()
                        .map(Object::toString).orElse("?");
            };
            out.println(finding.kind().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ": "
                    + finding.file() + ": " + Text.oneLine(finding.detail()) + action);
            if (finding.kind() == CheckReport.Kind.UNREADABLE_STATE
                    && finding.action() == CheckReport.Action.NONE) {
                unreadableLeft = true;
            }
        }
        out.println("checked " + report.filesChecked() + " files: "
                + (report.isClean() ? "clean" : report.findings().size() + " finding(s)"
                + (repair ? ", repaired" : "; run 'palimpsest check --repair' to repair")));
        return unreadableLeft ? ExitCode.UNREADABLE_STATE : ExitCode.OK;
    }
}
