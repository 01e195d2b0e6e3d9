package dev.palimpsest.engine.prompt;

import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.model.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The OpenAI chat format: the pinned system message, the compressed context and the recalled
 * rounds ({@link PromptContext#recalledText()}) as {@code system} messages, then every message of
 * the dialogue with its role, tool calls and tool call ids, as the chat completions API and its
 * many compatible servers take them.
 */
public final class OpenAiFormat implements PromptFormat<List<OpenAiMessage>> {
    /** The one instance; the format holds no state. */
    public static final OpenAiFormat INSTANCE = new OpenAiFormat();

    private OpenAiFormat() {
    }

    @Override
    public List<OpenAiMessage> render(PromptContext context) {
        List<Message> dialogue = context.dialogue();
        List<OpenAiMessage> out = new ArrayList<>(dialogue.size() + 2);
        context.pinnedSystem().ifPresent(m -> out.add(system(m.message().content())));
        if (!context.compressedContext().isEmpty()) {
            out.add(system(context.compressedContext()));
        }
        // Recalled rounds are memory: one system message of text, so that the model reads them
        // as what was said before, and no tool call of theirs reaches the API as a live one.
        String recalled = context.recalledText();
        if (!recalled.isEmpty()) {
            out.add(system(recalled));
        }
        for (Message m : dialogue) {
            boolean onlyCalls = m.content().isEmpty() && !m.toolCalls().isEmpty();
            out.add(new OpenAiMessage(m.role().wireName(),
                    onlyCalls ? Optional.empty() : Optional.of(m.content()), m.toolCalls(),
                    m.toolCallId()));
        }
        return List.copyOf(out);
    }

    private static OpenAiMessage system(String content) {
        return new OpenAiMessage("system", Optional.of(content), List.of(), Optional.empty());
    }
}
