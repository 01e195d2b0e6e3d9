package dev.palimpsest.engine.prompt;

import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.engine.prompt.AnthropicPrompt.AnthropicMessage;
import dev.palimpsest.engine.prompt.AnthropicPrompt.ContentBlock;
import dev.palimpsest.engine.prompt.AnthropicPrompt.Text;
import dev.palimpsest.engine.prompt.AnthropicPrompt.ToolResult;
import dev.palimpsest.engine.prompt.AnthropicPrompt.ToolUse;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Anthropic's messages format. The API differs from OpenAI's in ways this rendering absorbs:
 * <ul>
 *   <li>the system prompt is a top-level text, so the pinned system message, the compressed
 *       context and the recalled rounds go there; a later system message of the dialogue becomes a user text block
 *       prefixed {@code [system]}, since messages have no system role;</li>
 *   <li>tool calls are {@code tool_use} blocks of the assistant message, and tool results are
 *       {@code tool_result} blocks of a user message;</li>
 *   <li>roles must alternate, so consecutive messages of one role (a tool result and the user's
 *       next text, the results of parallel calls) are merged into one message, its tool results first;</li>
 *   <li>text blocks must not be empty: an empty assistant text is left out, an empty user text is
 *       written as {@code (empty)}; and the first message must be a user's, which every
 *       round's first message is (a round opens with a user or system message).</li>
 * </ul>
 */
public final class AnthropicFormat implements PromptFormat<AnthropicPrompt> {
    /** The one instance; the format holds no state. */
    public static final AnthropicFormat INSTANCE = new AnthropicFormat();

    private static final String USER = "user";
    private static final String ASSISTANT = "assistant";

    private AnthropicFormat() {
    }

    @Override
    public AnthropicPrompt render(PromptContext context) {
        StringBuilder system = new StringBuilder();
        context.pinnedSystem().ifPresent(m -> system.append(m.message().content()));
        if (!context.compressedContext().isEmpty()) {
            if (system.length() > 0) {
                system.append("\n\n");
            }
            system.append(context.compressedContext());
        }
        // Recalled rounds are memory, in the system prompt: not turns of the live dialogue.
        String recalled = context.recalledText();
        if (!recalled.isEmpty()) {
            if (system.length() > 0) {
                system.append("\n\n");
            }
            system.append(recalled);
        }
        List<AnthropicMessage> messages = new ArrayList<>();
        String role = null;
        List<ContentBlock> blocks = new ArrayList<>();
        for (Message m : context.dialogue()) {
            String next = m.role() == Role.ASSISTANT ? ASSISTANT : USER;
            List<ContentBlock> mine = blocks(m);
            if (mine.isEmpty()) {
                continue;
            }
            if (!next.equals(role) && role != null) {
                messages.add(new AnthropicMessage(role, resultsFirst(blocks)));
                blocks = new ArrayList<>();
            }
            role = next;
            blocks.addAll(mine);
        }
        if (role != null) {
            messages.add(new AnthropicMessage(role, resultsFirst(blocks)));
        }
        return new AnthropicPrompt(system.toString(), messages);
    }

    /** The API wants a user message's tool results before its texts; a stable partition. */
    private static List<ContentBlock> resultsFirst(List<ContentBlock> blocks) {
        List<ContentBlock> out = new ArrayList<>(blocks.size());
        for (ContentBlock b : blocks) {
            if (b instanceof ToolResult) {
                out.add(b);
            }
        }
        for (ContentBlock b : blocks) {
            if (!(b instanceof ToolResult)) {
                out.add(b);
            }
        }
        return out;
    }

    private static List<ContentBlock> blocks(Message m) {
        List<ContentBlock> out = new ArrayList<>(1 + m.toolCalls().size());
        switch (m.role()) {
            case SYSTEM:
                out.add(new Text("[system] " + m.content()));
                break;
            case USER:
                out.add(new Text(m.content().isEmpty() ? "(empty)" : m.content()));
                break;
            case ASSISTANT:
                if (!m.content().isEmpty()) {
                    out.add(new Text(m.content()));
                }
                for (ToolCall call : m.toolCalls()) {
                    out.add(new ToolUse(call.id(), call.name(), call.arguments()));
                }
                break;
            case TOOL:
                out.add(new ToolResult(m.toolCallId().orElseThrow(), m.content(),
                        m.metadata().containsKey(PromptContext.UNANSWERED_KEY)));
                break;
            default:
                throw new IllegalStateException("unknown role " + m.role());
        }
        return out;
    }
}
