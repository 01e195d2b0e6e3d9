package dev.palimpsest.model;

/**
 * One tool call of an assistant message.
 *
 * @param id        the call's id, answered by the {@link Role#TOOL} message that carries it
 * @param name      the tool's name
 * @param arguments the arguments as JSON text, kept exactly as the model produced them (models do
 *                  emit invalid JSON; the store keeps it rather than lose what was said)
 */
public record ToolCall(String id, String name, String arguments) {
    /**
     * Validates that the id and name are non-empty text.
     *
     * @param id        the call's id, answered by the {@link Role#TOOL} message that carries it
     * @param name      the tool's name
     * @param arguments the arguments as JSON text, kept exactly as the model produced them (models do
     *                  emit invalid JSON; the store keeps it rather than lose what was said)
     */
    public ToolCall {
        Checks.nonEmptyText(id, "tool call id");
        Checks.nonEmptyText(name, "name of tool call '" + id + "'");
        Checks.text(arguments, "arguments of tool call '" + id + "'");
    }
}
