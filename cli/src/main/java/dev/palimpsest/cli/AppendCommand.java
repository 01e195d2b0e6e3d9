package dev.palimpsest.cli;

import dev.palimpsest.engine.AppendResult;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.RoundInput;
import dev.palimpsest.persist.ConversationStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code palimpsest append}: appends one round and prints its sequence number once it is durable.
 */
@Command(name = "append", mixinStandardHelpOptions = true,
        description = {"Append one round to a conversation and print its sequence number.",
                "The number is printed only after the round is durably saved. A compaction that "
                        + "fails afterwards is reported on standard error as a warning and does "
                        + "not change the exit code."})
final class AppendCommand implements Callable<Integer> {
    @ParentCommand
    PalimpsestCommand top;

    @Option(names = "--user", paramLabel = "TEXT", description = "The user's text.")
    String user;

    @Option(names = "--user-file", paramLabel = "PATH",
            description = "Read the user's text from a UTF-8 file ('-' for standard input).")
    String userFile;

    @Option(names = "--assistant", paramLabel = "TEXT", description = "The assistant's text.")
    String assistant;

    @Option(names = "--assistant-file", paramLabel = "PATH",
            description = "Read the assistant's text from a UTF-8 file ('-' for standard input).")
    String assistantFile;

    @Option(names = "--meta", paramLabel = "KEY=VALUE",
            description = "Metadata stored with the round (repeatable; each key once).")
    List<String> meta = new ArrayList<>();

    @Option(names = "--expect-seq", paramLabel = "N",
            description = "The sequence number the round must get: a retry of a round already "
                    + "stored at N with the same texts prints N again and writes nothing; "
                    + "any other mismatch is a conflict (exit 5).")
    Long expectSeq;

    @Mixin
    PolicyOptions policy;

    @Parameters(index = "0", paramLabel = "ID", description = "The conversation id.")
    String convId;

    @Override
    public Integer call() {
        Terminal terminal = top.terminal();
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
                .withMetadata(metadata());
        if (expectSeq != null) {
            if (expectSeq < 1) {
                throw CliException.usage("--expect-seq must be at least 1, was " + expectSeq);
            }
            input = input.expectingSeq(expectSeq);
        }
        LauncherConfig config = top.config();
        try (ConversationStore store = top.openStore()) {
            ConversationEngine engine = PalimpsestCommand.engine(store, policy.policy(config),
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

    private Map<String, String> metadata() {
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
