package dev.palimpsest.engine.prompt;

import java.util.List;
import java.util.Objects;

/**
 * The prompt in Anthropic's messages format: the top-level {@code system} text and the
 * {@code messages}, alternating {@code user} and {@code assistant}, starting with {@code user}.
 *
 * @param system   the system text: the pinned system message and the compressed context,
 *                 separated by a blank line; empty if there is neither
 * @param messages the messages
 */
public record AnthropicPrompt(String system, List<AnthropicMessage> messages) {
    /**
     * Rejects null parts and copies the messages.
     *
     * @param system   the system text
     * @param messages the messages
     */
    public AnthropicPrompt {
        Objects.requireNonNull(system, "system");
        messages = List.copyOf(messages);
    }

    /**
     * One message: a role and its content blocks.
     *
     * @param role    {@code user} or {@code assistant}
     * @param content the content blocks, at least one
     */
    public record AnthropicMessage(String role, List<ContentBlock> content) {
        /**
         * Rejects null parts and copies the blocks.
         *
         * @param role    {@code user} or {@code assistant}
         * @param content the content blocks, at least one
         */
        public AnthropicMessage {
            Objects.requireNonNull(role, "role");
            content = List.copyOf(content);
            if (content.isEmpty()) {
                throw new IllegalArgumentException("a message must hold at least one block");
            }
        }
    }

    /** One content block: {@link Text}, {@link ToolUse} or {@link ToolResult}. */
    public sealed interface ContentBlock {
    }

    /**
     * A {@code text} block.
     *
     * @param text the text, not empty
     */
    public record Text(String text) implements ContentBlock {
        /**
         * Rejects null.
         *
         * @param text the text
         */
        public Text {
            Objects.requireNonNull(text, "text");
        }
    }

    /**
     * A {@code tool_use} block. Its {@code input} is a JSON object in the API; the stored
     * arguments are kept as the model wrote them, so a writer embeds {@code inputJson} when it is
     * a JSON object and otherwise writes {@code {"arguments": "<the text>"}}.
     *
     * @param id        the call's id
     * @param name      the tool's name
     * @param inputJson the arguments as JSON text
     */
    public record ToolUse(String id, String name, String inputJson) implements ContentBlock {
        /**
         * Rejects null parts.
         *
         * @param id        the call's id
         * @param name      the tool's name
         * @param inputJson the arguments as JSON text
         */
        public ToolUse {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(inputJson, "inputJson");
        }
    }

    /**
     * A {@code tool_result} block.
     *
     * @param toolUseId the call it answers
     * @param content   the result's text
     * @param isError   whether it reports a failure (written as {@code is_error}); true for the
     *                  result added for a call that was never answered
     */
    public record ToolResult(String toolUseId, String content, boolean isError)
            implements ContentBlock {
        /**
         * Rejects null parts.
         *
         * @param toolUseId the call it answers
         * @param content   the result's text
         * @param isError   whether it reports a failure
         */
        public ToolResult {
            Objects.requireNonNull(toolUseId, "toolUseId");
            Objects.requireNonNull(content, "content");
        }
    }
}
