package dev.palimpsest.model;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One message of a conversation, as an agent sends it: a system prompt, a user turn, an assistant
 * answer (text and/or tool calls), or a tool result. Which fields a message may carry depends on
 * its role, and the compact constructor enforces it.
 *
 * @param role       who the message is from
 * @param content    the text; may be empty (an assistant message may carry only tool calls, and
     *                   the first generation stored empty user and assistant texts)
 * @param toolCalls  the tool calls of an assistant message; empty for every other role
 * @param toolCallId the call a {@link Role#TOOL} message answers; empty for every other role
 * @param toolName   the tool a {@link Role#TOOL} message comes from; empty for every other role
 * @param id         the caller's own id for the message, unique over the conversation's history:
 *                   appending it again with equal content returns the stored message, so a retry
 *                   never duplicates
 * @param metadata   string metadata, kept with the message and never interpreted
 */
public record Message(Role role, String content, List<ToolCall> toolCalls,
                      Optional<String> toolCallId, Optional<String> toolName,
                      Optional<String> id, Map<String, String> metadata) {

    /** The longest message id accepted, in chars. */
    public static final int MAX_ID_LENGTH = 512;

    /**
     * Validates the fields against the role; see the component descriptions.
     *
     * @param role       who the message is from
     * @param content    the text; may be empty (an assistant message may carry only tool calls, and
     *                   the first generation stored empty user and assistant texts)
     * @param toolCalls  the tool calls of an assistant message; empty for every other role
     * @param toolCallId the call a {@link Role#TOOL} message answers; empty for every other role
     * @param toolName   the tool a {@link Role#TOOL} message comes from; empty for every other role
     * @param id         the caller's own id for the message, unique over the conversation's history:
     *                   appending it again with equal content returns the stored message, so a retry
     *                   never duplicates
     * @param metadata   string metadata, kept with the message and never interpreted
     */
    public Message {
        Checks.notNull(role, "message role");
        Checks.optionalNonEmptyText(id, "message id");
        id.ifPresent(Message::checkIdLength);
        String what = id.map(v -> role.wireName() + " message '" + v + "'")
                .orElse(role.wireName() + " message");
        Checks.text(content, "content of " + what);
        toolCalls = Checks.listCopy(toolCalls, "tool calls of " + what);
        Checks.optionalNonEmptyText(toolCallId, "tool call id of " + what);
        Checks.optionalNonEmptyText(toolName, "tool name of " + what);
        metadata = Checks.sortedCopy(metadata, "metadata of " + what);
        if (role != Role.ASSISTANT && !toolCalls.isEmpty()) {
            throw PalimpsestException.invalid(what + " must not carry tool calls");
        }
        if (role == Role.TOOL) {
            if (toolCallId.isEmpty() || toolName.isEmpty()) {
                throw PalimpsestException.invalid(what + " must name the tool call id it answers"
                        + " and the tool");
            }
        } else if (toolCallId.isPresent() || toolName.isPresent()) {
            throw PalimpsestException.invalid(what + " must not carry a tool call id or tool name");
        }
        Set<String> callIds = new HashSet<>();
        for (ToolCall call : toolCalls) {
            if (!callIds.add(call.id())) {
                throw PalimpsestException.invalid(what + " holds tool call id '" + call.id()
                        + "' twice");
            }
        }
    }

    private static void checkIdLength(String id) {
        if (id.length() > MAX_ID_LENGTH) {
            throw PalimpsestException.invalid("message id must be at most " + MAX_ID_LENGTH
                    + " chars, was " + id.length());
        }
    }

    /**
     * {@return a system message (a system prompt)}
     *
     * @param content its text
     */
    public static Message system(String content) {
        return new Message(Role.SYSTEM, content, List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    /**
     * {@return a user message}
     *
     * @param content its text
     */
    public static Message user(String content) {
        return new Message(Role.USER, content, List.of(), Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    /**
     * {@return an assistant message of text only}
     *
     * @param content its text
     */
    public static Message assistant(String content) {
        return assistant(content, List.of());
    }

    /**
     * {@return an assistant message with tool calls}
     *
     * @param content   its text; may be empty when it carries tool calls
     * @param toolCalls its tool calls
     */
    public static Message assistant(String content, List<ToolCall> toolCalls) {
        return new Message(Role.ASSISTANT, content, toolCalls, Optional.empty(), Optional.empty(),
                Optional.empty(), Map.of());
    }

    /**
     * {@return the result of a tool call}
     *
     * @param toolCallId the id of the call it answers
     * @param toolName   the tool's name
     * @param content    the result
     */
    public static Message tool(String toolCallId, String toolName, String content) {
        return new Message(Role.TOOL, content, List.of(), Optional.of(toolCallId),
                Optional.of(toolName), Optional.empty(), Map.of());
    }

    /**
     * {@return this message with the caller's id {@code newId}}
     *
     * @param newId the id, unique over the conversation's history
     */
    public Message withId(String newId) {
        return new Message(role, content, toolCalls, toolCallId, toolName,
                Optional.of(newId), metadata);
    }

    /**
     * {@return this message with {@code newMetadata} instead of its metadata}
     *
     * @param newMetadata the metadata
     */
    public Message withMetadata(Map<String, String> newMetadata) {
        return new Message(role, content, toolCalls, toolCallId, toolName, id, newMetadata);
    }
}
