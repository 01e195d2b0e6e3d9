package dev.palimpsest.engine.prompt;

import dev.palimpsest.model.ToolCall;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of the OpenAI chat format. Written as JSON it is
 * {@code {"role": ..., "content": ...}}, plus {@code "tool_calls": [{"id", "type": "function",
 * "function": {"name", "arguments"}}]} on an assistant message that calls tools, and
 * {@code "tool_call_id"} on a {@code tool} message. {@code content} is {@code null} on an
 * assistant message that only calls tools.
 *
 * @param role       {@code system}, {@code user}, {@code assistant} or {@code tool}
 * @param content    the text; empty only for an assistant message that only calls tools
 * @param toolCalls  the tool calls of an assistant message
 * @param toolCallId the call a {@code tool} message answers
 */
public record OpenAiMessage(String role, Optional<String> content, List<ToolCall> toolCalls,
                            Optional<String> toolCallId) {
    /**
     * Rejects null parts and copies the calls.
     *
     * @param role       the role's wire name
     * @param content    the text
     * @param toolCalls  the tool calls of an assistant message
     * @param toolCallId the call a {@code tool} message answers
     */
    public OpenAiMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        toolCalls = List.copyOf(toolCalls);
        Objects.requireNonNull(toolCallId, "toolCallId");
    }
}
