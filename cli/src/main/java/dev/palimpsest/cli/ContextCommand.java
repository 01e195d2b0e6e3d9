package dev.palimpsest.cli;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.persist.ConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest context}: the prompt material for the next model call. */
final class ContextCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("context", "Print the prompt material for the next model "
                + "call: the compressed context, then the recent rounds.",
                "--format messages prints a JSON array of {\"role\", \"content\"}: the system "
                        + "message with the compressed context first (omitted while there is "
                        + "none), then the user and assistant messages in order.");
        spec.addOption(Specs.option("--format", "text|messages", String.class,
                "text (default) or messages."));
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String format = invocation.value("--format");
        boolean messages = switch (format == null ? "text" : format) {
            case "text" -> false;
            case "messages" -> true;
            default -> throw CliException.usage("--format must be text or messages, was '"
                    + Text.oneLine(format) + "'");
        };
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        try (ConversationStore store = invocation.session().openStore()) {
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
