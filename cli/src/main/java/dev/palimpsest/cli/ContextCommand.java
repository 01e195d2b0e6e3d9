package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.engine.prompt.AnthropicFormat;
import dev.palimpsest.store.ConversationStore;
import picocli.CommandLine.Model.CommandSpec;

/** {@code palimpsest context}: the prompt material for the next model call. */
final class ContextCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("context", "Print the prompt material for the next model "
                + "call: the pinned system prompt, the compressed context, then the recent "
                + "rounds.",
                "With --query, the earlier rounds that match the words are recalled from the "
                        + "whole log (whole rounds, marked with their seq and time, given as "
                        + "memory rather than as the live dialogue), and everything is fitted to "
                        + "--budget: pinned prompt and newest round always, then the compressed "
                        + "context, recalled rounds (within half of what is left), recent rounds "
                        + "newest first, then more recalled rounds.",
                "--format messages prints the OpenAI chat format: a JSON array of {\"role\", "
                        + "\"content\"} with tool_calls and tool messages, the system message "
                        + "(pinned prompt and compressed context) first; --format anthropic "
                        + "prints Anthropic's Messages format: {\"system\", \"messages\"} with "
                        + "tool_use and tool_result blocks.");
        spec.addOption(Specs.option("--format", "text|messages|anthropic", String.class,
                "text (default), messages or anthropic."));
        spec.addOption(Specs.option("--query", "TEXT", String.class,
                "Recall the earlier rounds that match these words (default: recall nothing)."));
        spec.addOption(Specs.option("--budget", "TOKENS", Long.class,
                "Fit the material to this many estimated tokens (default: the policy's "
                        + "max_tokens, " + CompactionPolicy.DEFAULT.maxTokens() + " unless "
                        + "config.json says otherwise)."));
        spec.addPositional(Specs.id());
        return spec;
    }

    private static long budget(Invocation invocation, Long given) {
        if (given != null) {
            return given;
        }
        return invocation.session().config().maxTokens()
                .orElse(CompactionPolicy.DEFAULT.maxTokens());
    }

    @Override
    public int run(Invocation invocation) {
        String format = invocation.value("--format");
        String chosen = format == null ? "text" : format;
        if (!chosen.equals("text") && !chosen.equals("messages") && !chosen.equals("anthropic")) {
            throw CliException.usage("--format must be text, messages or anthropic, was '"
                    + Text.oneLine(format) + "'");
        }
        String query = invocation.value("--query");
        Long budget = invocation.value("--budget");
        if (budget != null && budget < 1) {
            throw CliException.usage("--budget must be at least 1, was " + budget);
        }
        if (query != null && query.isBlank()) {
            throw CliException.usage("--query needs words to recall by");
        }
        Terminal terminal = invocation.terminal();
        String convId = invocation.id();
        try (ConversationStore store = invocation.session().openStoreToRead(convId)) {
            StoredConversations.require(store, convId);
            PromptContext context;
            if (query != null) {
                // Only this path opens the recall index: a context without a question loads
                // no class of Lucene.
                context = Recalls.questionContext(invocation.session(), store, convId, query,
                        budget(invocation, budget));
            } else {
                try (ConversationEngine engine = ConversationEngine.builder(store).build()) {
                    context = budget == null ? engine.context(convId)
                            : engine.context(convId, "", budget);
                }
            }
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
