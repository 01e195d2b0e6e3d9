package dev.palimpsest.cli;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.engine.prompt.AnthropicFormat;
import dev.palimpsest.store.file.FileConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest context}: the prompt material for the next model call. */
final class ContextCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("context", "Print the prompt material for the next model "
                + "call: the pinned system prompt, the compressed context, then the recent "
                + "rounds.",
                "--format messages prints the OpenAI chat format: a JSON array of {\"role\", "
                        + "\"content\"} with tool_calls and tool messages, the system message "
                        + "(pinned prompt and compressed context) first; --format anthropic "
                        + "prints Anthropic's Messages format: {\"system\", \"messages\"} with "
                        + "tool_use and tool_result blocks.");
        spec.addOption(Specs.option("--format", "text|messages|anthropic", String.class,
                "text (default), messages or anthropic."));
        spec.addPositional(Specs.id());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String format = invocation.value("--format");
        String chosen = format == null ? "text" : format;
        if (!chosen.equals("text") && !chosen.equals("messages") && !chosen.equals("anthropic")) {
            throw CliException.usage("--format must be text, messages or anthropic, was '"
                    + Text.oneLine(format) + "'");
        }
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        try (FileConversationStore store = invocation.session().openStoreToRead(convId);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            StoredConversations.require(store, convId);
            PromptContext context = engine.context(convId);
            switch (chosen) {
                case "messages" -> {
                    try (JsonOutput out = new JsonOutput(terminal.out())) {
                        out.openAiMessages(context.messages());
                    }
                }
                case "anthropic" -> {
                    try (JsonOutput out = new JsonOutput(terminal.out())) {
                        out.anthropic(context.render(AnthropicFormat.INSTANCE));
                    }
                }
                default -> terminal.out().print(context.asText());
            }
        }
        return ExitCode.OK;
    }
}
