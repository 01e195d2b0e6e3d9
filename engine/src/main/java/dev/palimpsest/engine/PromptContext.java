package dev.palimpsest.engine;

import dev.palimpsest.core.Round;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The prompt material for the next model call: the compressed context of the compacted rounds and
 * the recent rounds verbatim.
 *
 * @param compressedContext the summary of the compacted rounds; empty before the first compaction
 * @param recentRounds      the recent rounds, oldest first; copied in
 */
public record PromptContext(String compressedContext, List<Round> recentRounds) {
    /**
     * Rejects null parts and copies the rounds.
     *
     * @param compressedContext the summary of the compacted rounds; empty before the first
     *                          compaction
     * @param recentRounds      the recent rounds, oldest first; copied in
     */
    public PromptContext {
        Objects.requireNonNull(compressedContext, "compressedContext");
        recentRounds = List.copyOf(recentRounds);
    }

    /**
     * Returns the material as an OpenAI-style message list, ready for a chat API: a system
     * message carrying the compressed context (omitted while it is empty), then one user and one
     * assistant message per recent round, in order.
     *
     * @return the messages
     */
    public List<ChatMessage> messages() {
        List<ChatMessage> messages = new ArrayList<>(recentRounds.size() * 2 + 1);
        if (!compressedContext.isEmpty()) {
            messages.add(new ChatMessage("system", compressedContext));
        }
        for (Round round : recentRounds) {
            messages.add(new ChatMessage("user", round.user()));
            messages.add(new ChatMessage("assistant", round.assistant()));
        }
        return List.copyOf(messages);
    }

    /**
     * Returns the material as plain text: the compressed context under a {@code [context]}
     * heading (omitted while it is empty), then each round under {@code [round N]} with its
     * {@code user:} and {@code assistant:} texts.
     *
     * @return the text, ending with a newline unless there is nothing at all
     */
    public String asText() {
        StringBuilder text = new StringBuilder();
        if (!compressedContext.isEmpty()) {
            text.append("[context]\n").append(compressedContext).append('\n');
        }
        for (Round round : recentRounds) {
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append("[round ").append(round.seq()).append("]\n")
                    .append("user: ").append(round.user()).append('\n')
                    .append("assistant: ").append(round.assistant()).append('\n');
        }
        return text.toString();
    }
}
