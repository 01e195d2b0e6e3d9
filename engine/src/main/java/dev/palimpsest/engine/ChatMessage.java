package dev.palimpsest.engine;

import java.util.Objects;
import java.util.Set;

/**
 * One message of an OpenAI-style chat request.
 *
 * @param role    {@code "system"}, {@code "user"} or {@code "assistant"}
 * @param content the message text
 */
public record ChatMessage(String role, String content) {
    private static final Set<String> ROLES = Set.of("system", "user", "assistant");

    /**
     * Rejects null parts and unknown roles.
     *
     * @param role    {@code "system"}, {@code "user"} or {@code "assistant"}
     * @param content the message text
     */
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException(
                    "role must be one of system, user, assistant, was '" + role + "'");
        }
    }
}
