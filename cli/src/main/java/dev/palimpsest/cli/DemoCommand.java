package dev.palimpsest.cli;

import dev.palimpsest.engine.AppendOutcome;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.ExtractiveSummarizer;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest demo}: replays the bundled sample dialogue through the engine with a small
 * window, so that compactions happen within a few rounds, and shows the result.
 */
final class DemoCommand implements Subcommand {
    /** The demo's window: small, so that the 14 rounds compact several times. */
    static final CompactionPolicy POLICY = new CompactionPolicy(4, 2, 100_000);

    @Override
    public CommandSpec spec() {
        return Specs.command("demo", "Replay a bundled sample dialogue (14 rounds) through the "
                + "engine with a small window (compact above 4 recent rounds, keep 2), showing "
                + "each append and compaction as it happens, then the resulting state and where "
                + "its files are.", "Writes to a fresh temporary root, left in place for you to "
                + "inspect; with an explicit --root, to a new conversation 'demo' (or 'demo-2', "
                + "...) there.");
    }

    @Override
    public int run(Invocation invocation) throws IOException {
        PrintStream out = invocation.terminal().out();
        Session session = invocation.session();
        List<DemoDialogue.Turn> dialogue = DemoDialogue.load();
        Path root = session.rootGiven() ? session.dataRoot()
                : Files.createTempDirectory("palimpsest-demo-");
        Files.createDirectories(root);
        try (FileConversationStore store = FileConversationStore.open(root,
                session.config().storeOptions());
             ConversationEngine engine = ConversationEngine.builder(store).policy(POLICY)
                     .summarizer(ExtractiveSummarizer.withBudget(1_200)).build()) {
            String convId = freshId(store);
            out.println("Replaying " + dialogue.size() + " rounds of a sample dialogue into "
                    + "conversation " + Text.quote(convId));
            out.println("  root:   " + root.toAbsolutePath());
            out.println("  policy: compact when more than " + POLICY.maxRounds()
                    + " rounds are verbatim, keeping the last " + POLICY.keepRounds()
                    + "; extractive summarizer (offline)");
            out.println();
            for (DemoDialogue.Turn round : dialogue) {
                AppendOutcome result = engine.appendRound(convId, round.user(), round.assistant());
                var messages = result.appended().messages();
                out.print(String.format(Locale.ROOT, "  round %2d  user: %s%n",
                        messages.get(messages.size() - 1).roundSeq(),
                        Text.preview(round.user(), 60)));
                // Without an executor the engine compacts in this thread: the handle is done.
                CompactionOutcome compaction = result.compaction().outcome().orElseThrow();
                if (compaction.status() != CompactionOutcome.Status.NOT_NEEDED) {
                    out.println("            compaction " + compaction.status().name()
                            .toLowerCase(Locale.ROOT)
                            + (compaction.roundsFolded() > 0 ? ": folded "
                            + compaction.roundsFolded() + " rounds into the compressed context"
                            : compaction.failure().map(f -> ": " + f.getMessage()).orElse(""))
                            + "; " + engine.state(convId).map(s -> s.recentRounds().size())
                            .orElse(0) + " rounds verbatim now");
                }
                out.flush();
            }
            out.println();
            out.println("Resulting state (palimpsest show):");
            StateSummary.print(out, engine.state(convId).orElseThrow(),
                    java.util.Optional.of(store.checkpointFile(convId)), root.toString());
            out.println();
            out.println("Prompt context for the next model call (palimpsest context):");
            out.print(engine.context(convId).asText());
            out.println();
            // The image's launcher script names itself; run some other way, say "palimpsest".
            String launcher = shellQuote(System.getProperty("palimpsest.launcher", "palimpsest"));
            String rootArg = "--root " + shellQuote(root.toAbsolutePath().toString());
            out.println("Files: " + store.checkpointFile(convId).getParent());
            out.println("Try:   " + launcher + " " + rootArg + " transcript " + shellQuote(convId));
            out.println("       " + launcher + " " + rootArg + " show --json "
                    + shellQuote(convId));
        }
        return ExitCode.OK;
    }

    /** The first of demo, demo-2, demo-3, ... that is not stored yet. */
    private static String freshId(FileConversationStore store) {
        String id = "demo";
        for (int n = 2; store.load(id).isPresent(); n++) {
            id = "demo-" + n;
        }
        return id;
    }

    private static String shellQuote(String value) {
        return value.matches("[A-Za-z0-9_./@:+-]+") ? value
                : "'" + value.replace("'", "'\\''") + "'";
    }
}
