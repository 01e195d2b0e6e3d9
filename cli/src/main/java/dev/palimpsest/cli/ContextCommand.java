package dev.palimpsest.cli;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.persist.ConversationStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code palimpsest context}: the prompt material for the next model call. */
@Command(name = "context", mixinStandardHelpOptions = true,
        description = {"Print the prompt material for the next model call: the compressed "
                + "context, then the recent rounds.",
                "--format messages prints a JSON array of {\"role\", \"content\"}: the system "
                        + "message with the compressed context first (omitted while there is "
                        + "none), then the user and assistant messages in order."})
final class ContextCommand implements Callable<Integer> {
    @ParentCommand
    PalimpsestCommand top;

    @Option(names = "--format", paramLabel = "text|messages", defaultValue = "text",
            description = "text (default) or messages.")
    String format;

    @Parameters(index = "0", paramLabel = "ID", description = "The conversation id.")
    String convId;

    @Override
    public Integer call() {
        boolean messages = switch (format) {
            case "text" -> false;
            case "messages" -> true;
            default -> throw CliException.usage("--format must be text or messages, was '"
                    + Text.oneLine(format) + "'");
        };
        Terminal terminal = top.terminal();
        try (ConversationStore store = top.openStore()) {
            ConversationEngine engine = ConversationEngine.builder(store).build();
            StoredConversations.require(store, convId);
            PromptContext context = engine.context(convId);
            if (messages) {
                try (JsonOutput out = new JsonOutput(terminal.out())) {
                    out.messages(context.messages());
                }
            } else {
                terminal.out().print(context.asText());
            }
        }
        return ExitCode.OK;
    }
}
