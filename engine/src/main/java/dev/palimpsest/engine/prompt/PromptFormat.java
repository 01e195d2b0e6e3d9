package dev.palimpsest.engine.prompt;

import dev.palimpsest.engine.PromptContext;

/**
 * A rendering of the prompt material for one chat API. Implementations read the pinned system
 * message, the compressed context and {@link PromptContext#dialogue()}, and produce whatever
 * that API takes, as plain values any JSON library can write.
 *
 * @param <T> what the rendering produces
 */
@FunctionalInterface
public interface PromptFormat<T> {
    /**
     * {@return the context rendered}
     *
     * @param context the prompt material
     */
    T render(PromptContext context);

    /** {@return the OpenAI chat format: a list of messages with {@code tool_calls}} */
    static PromptFormat<java.util.List<OpenAiMessage>> openAi() {
        return OpenAiFormat.INSTANCE;
    }

    /** {@return Anthropic's messages format: a system text and content blocks} */
    static PromptFormat<AnthropicPrompt> anthropic() {
        return AnthropicFormat.INSTANCE;
    }
}
