package dev.palimpsest.model;

import java.util.Locale;

/** Who a message is from, with the name every format uses for it. */
public enum Role {
    /** Instructions to the model; the newest one is pinned. */
    SYSTEM,
    /** What the user said; it opens a round. */
    USER,
    /** What the model answered: text and/or tool calls. */
    ASSISTANT,
    /** The result of one tool call. */
    TOOL;

    /** {@return the lower-case name used by the formats and the OpenAI chat format: {@code "user"}} */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the role of a wire name}
     *
     * @param name the wire name
     * @throws PalimpsestException of kind {@code INVALID_INPUT} if it names no role
     */
    public static Role ofWireName(String name) {
        for (Role role : values()) {
            if (role.wireName().equals(name)) {
                return role;
            }
        }
        throw PalimpsestException.invalid(
                "role must be one of system, user, assistant, tool, was '" + name + "'");
    }
}
