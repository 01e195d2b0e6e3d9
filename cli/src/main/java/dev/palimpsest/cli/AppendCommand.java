package dev.palimpsest.cli;

import dev.palimpsest.engine.AppendResult;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.RoundInput;
import dev.palimpsest.persist.ConversationStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest append}: appends one round and prints its sequence number once it is durable.
 */
final class AppendCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("append",
                "Append one round to a conversation and print its sequence number.",
                "The number is printed only after the round is durably saved. A compaction that "
                        + "fails afterwards is reported on standard error as a warning and does "
                        + "not change the exit code.");
        spec.addOption(Specs.option("--user", "TEXT", String.class, "The user's text."));
        spec.addOption(Specs.option("--user-file", "PATH", String.class,
                "Read the user's text from a UTF-8 file ('-' for standard input)."));
        spec.addOption(Specs.option("--assistant", "TEXT", String.class, "The assistant's text."));
        spec.addOption(Specs.option("--assistant-file", "PATH", String.class,
                "Read the assistant's text from a UTF-8 file ('-' for standard input)."));
        spec.addOption(Specs.repeatable("--meta", "KEY=VALUE",
                "Metadata stored with the round (repeatable; each key once)."));
        spec.addOption(Specs.option("--expect-seq", "N", Long.class,
                "The sequence number the round must get: a retry of a round already stored at "
                        + "N with the same texts prints N again and writes nothing; any other "
                        + "mismatch is a conflict (exit 5)."));
        PolicyOptions.addTo(spec);
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        String user = invocation.value("--user");
        String userFile = invocation.value("--user-file");
        String assistant = invocation.value("--assistant");
        String assistantFile = invocation.value("--assistant-file");
        Long expectSeq = invocation.value("--expect-seq");
        if (user != null && userFile != null) {
            throw CliException.usage("give --user or --user-file, not both");
        }
        if (assistant != null && assistantFile != null) {
            throw CliException.usage("give --assistant or --assistant-file, not both");
        }
        if (user == null && userFile == null && assistant == null && assistantFile == null) {
            throw CliException.usage("a round needs --user/--user-file or "
                    + "--assistant/--assistant-file");
        }
        if ("-".equals(userFile) && "-".equals(assistantFile)) {
            throw CliException.usage("standard input can feed only one of --user-file and "
                    + "--assistant-file");
        }
        RoundInput input = RoundInput.of(
                user != null ? user : userFile != null ? InputText.read(userFile, terminal) : "",
                assistant != null ? assistant
                        : assistantFile != null ? InputText.read(assistantFile, terminal) : "")
                .withMetadata(metadata(invocation.values("--meta")));
        if (expectSeq != null) {
            if (expectSeq < 1) {
                throw CliException.usage("--expect-seq must be at least 1, was " + expectSeq);
            }
            input = input.expectingSeq(expectSeq);
        }
        Session session = invocation.session();
        LauncherConfig config = session.config();
        PolicyOptions policy = PolicyOptions.of(invocation);
        try (ConversationStore store = session.openStore()) {
            ConversationEngine engine = Session.engine(store, policy.policy(config),
                    policy.summarizer(config, terminal.env()));
            AppendResult result = engine.append(convId, input);
            terminal.out().print(result.round().seq() + "\n");
            terminal.out().flush();
            CompactionOutcome compaction = result.compaction();
            if (compaction.status() == CompactionOutcome.Status.FAILED) {
                terminal.err().println("palimpsest append: warning: conversation "
                        + Text.quote(convId) + ": compaction failed, the rounds stay verbatim: "
                        + Text.oneLine(compaction.failure().orElse("unknown failure")));
            }
        }
        return ExitCode.OK;
    }

    private static Map<String, String> metadata(List<String> meta) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (String pair : meta) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw CliException.usage("--meta must be KEY=VALUE with a non-empty key, was '"
                        + Text.oneLine(pair) + "'");
            }
            String key = pair.substring(0, eq);
            if (metadata.put(key, pair.substring(eq + 1)) != null) {
                throw CliException.usage("--meta key '" + Text.oneLine(key) + "' given twice");
            }
        }
        return metadata;
    }
}
