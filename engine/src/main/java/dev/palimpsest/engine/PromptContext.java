package dev.palimpsest.engine;

import dev.palimpsest.engine.prompt.OpenAiFormat;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.engine.prompt.PromptFormat;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The prompt material for the next model call: the pinned system message, the compressed context
 * of the compacted rounds, the rounds recalled for a question (if any), and the recent rounds
 * verbatim. Render it with {@link #messages()} (the OpenAI chat format), {@link #render} (any
 * {@link PromptFormat}), or {@link #asText()}.
 *
 * <p>Every rendering puts the pinned system message first, then the compressed context, then the
 * recalled rounds as memory ({@link #recalledText()}: marked as recalled, each with its seq and
 * time, outside the live dialogue), then the {@link #dialogue()}.
 *
 * @param convId            the conversation
 * @param pinnedSystem      the newest system message, which compaction never folds away
 * @param compressedContext the summary of the compacted rounds; empty before the first compaction
 * @param recalledRounds    whole earlier rounds that recall found for a question, oldest first;
 *                          none of them is among the recent rounds; copied in
 * @param recentRounds      the recent rounds, oldest first; copied in
 */
public record PromptContext(String convId, Optional<StoredMessage> pinnedSystem,
                            String compressedContext, List<Round> recalledRounds,
                            List<Round> recentRounds) {

    /**
     * The metadata key (value {@code "true"}) of the tool result {@link #dialogue()} adds for a
     * tool call that was never answered.
     */
    public static final String UNANSWERED_KEY = "palimpsest.unanswered";

    /** The content of the tool result added for a tool call that was never answered. */
    public static final String UNANSWERED_CONTENT = "[no result was recorded for this call]";

    /** The heading of the recalled rounds in every rendering. */
    public static final String RECALLED_HEADING = "Recalled from earlier in this conversation"
            + " (memory, not the current dialogue):";

    /**
     * Rejects null parts, copies the rounds, and checks that no recalled round is also recent.
     *
     * @param convId            the conversation
     * @param pinnedSystem      the newest system message
     * @param compressedContext the summary of the compacted rounds
     * @param recalledRounds    the recalled rounds, oldest first
     * @param recentRounds      the recent rounds, oldest first
     */
    public PromptContext {
        Objects.requireNonNull(convId, "convId");
        Objects.requireNonNull(pinnedSystem, "pinnedSystem");
        Objects.requireNonNull(compressedContext, "compressedContext");
        recalledRounds = List.copyOf(recalledRounds);
        recentRounds = List.copyOf(recentRounds);
        Set<Long> recent = new java.util.HashSet<>();
        for (Round r : recentRounds) {
            recent.add(r.seq());
        }
        for (Round r : recalledRounds) {
            if (recent.contains(r.seq())) {
                throw PalimpsestException.invalid("round " + r.seq() + " of '" + convId
                        + "' is both recalled and recent");
            }
        }
    }

    /**
     * The material without recalled rounds.
     *
     * @param convId            the conversation
     * @param pinnedSystem      the newest system message
     * @param compressedContext the summary of the compacted rounds
     * @param recentRounds      the recent rounds, oldest first
     */
    public PromptContext(String convId, Optional<StoredMessage> pinnedSystem,
                         String compressedContext, List<Round> recentRounds) {
        this(convId, pinnedSystem, compressedContext, List.of(), recentRounds);
    }

    /**
     * {@return the recalled rounds as the memory block every rendering gives a model}: empty if
     * there are none, else {@link #RECALLED_HEADING}, then per round a line
     * {@code [recalled round N, TIME]} and its messages, one line each, as in {@link #asText()}
     */
    public String recalledText() {
        if (recalledRounds.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder(RECALLED_HEADING).append('\n');
        long pinnedSeq = pinnedSystem.map(StoredMessage::seq).orElse(-1L);
        for (Round round : recalledRounds) {
            text.append('\n').append(recalledLabel(round)).append('\n');
            for (StoredMessage stored : round.messages()) {
                if (stored.seq() != pinnedSeq) {
                    line(text, stored.message());
                }
            }
        }
        return text.toString();
    }

    private static String recalledLabel(Round round) {
        return "[recalled round " + round.seq() + ", "
                + round.messages().get(0).createdAt() + "]";
    }

    /**
     * {@return the recent messages as a model should read them}: every message of the recent
     * rounds in order, except the pinned system message (rendered first instead). A tool call
     * that was abandoned (the round went on with another message, or closed, without its result)
     * gets a tool result with {@link #UNANSWERED_CONTENT} after the results that were recorded,
     * marked with {@link #UNANSWERED_KEY}: chat APIs refuse a tool call without its result. Calls
     * at the very end of the newest round may still be waiting for their results and are left
     * as they are.
     */
    public List<Message> dialogue() {
        long pinnedSeq = pinnedSystem.map(StoredMessage::seq).orElse(-1L);
        List<Message> out = new ArrayList<>();
        for (int r = 0; r < recentRounds.size(); r++) {
            boolean closed = r < recentRounds.size() - 1;
            Set<String> open = new LinkedHashSet<>();
            Map<String, String> names = new java.util.HashMap<>();
            for (StoredMessage stored : recentRounds.get(r).messages()) {
                Message m = stored.message();
                if (m.role() != Role.TOOL) {
                    answerAbandoned(open, names, out);
                }
                if (stored.seq() == pinnedSeq) {
                    continue;
                }
                out.add(m);
                for (ToolCall call : m.toolCalls()) {
                    open.add(call.id());
                    names.put(call.id(), call.name());
                }
                m.toolCallId().ifPresent(open::remove);
            }
            if (closed) {
                answerAbandoned(open, names, out);
            }
        }
        return List.copyOf(out);
    }

    private static void answerAbandoned(Set<String> open, Map<String, String> names,
                                        List<Message> out) {
        for (String id : open) {
            out.add(Message.tool(id, names.get(id), UNANSWERED_CONTENT)
                    .withMetadata(Map.of(UNANSWERED_KEY, "true")));
        }
        open.clear();
    }

    /** {@return the material in the OpenAI chat format, ready for a chat completions request} */
    public List<OpenAiMessage> messages() {
        return render(OpenAiFormat.INSTANCE);
    }

    /**
     * {@return the material rendered by {@code format}}
     *
     * @param format the rendering
     * @param <T>    what the rendering produces
     */
    public <T> T render(PromptFormat<T> format) {
        return format.render(this);
    }

    /**
     * {@return the material as plain text}: the pinned system message under {@code [system]}, the
     * compressed context under {@code [context]}, each recalled round under
     * {@code [recalled round N, TIME]}, then each recent round under {@code [round N]} with one
     * line per message ({@code user:}, {@code assistant:}, {@code tool NAME (ID):}, a tool call as
     * {@code assistant calls NAME (ID): ARGUMENTS}); ends with a newline unless empty
     */
    public String asText() {
        StringBuilder text = new StringBuilder();
        long pinnedSeq = pinnedSystem.map(StoredMessage::seq).orElse(-1L);
        pinnedSystem.ifPresent(m -> section(text, "[system]").append(m.message().content())
                .append('\n'));
        if (!compressedContext.isEmpty()) {
            section(text, "[context]").append(compressedContext).append('\n');
        }
        for (Round round : recalledRounds) {
            section(text, recalledLabel(round));
            for (StoredMessage stored : round.messages()) {
                if (stored.seq() != pinnedSeq) {
                    line(text, stored.message());
                }
            }
        }
        for (Round round : recentRounds) {
            section(text, "[round " + round.seq() + "]");
            for (StoredMessage stored : round.messages()) {
                if (stored.seq() != pinnedSeq) {
                    line(text, stored.message());
                }
            }
        }
        return text.toString();
    }

    private static StringBuilder section(StringBuilder text, String heading) {
        if (text.length() > 0) {
            text.append('\n');
        }
        return text.append(heading).append('\n');
    }

    private static void line(StringBuilder text, Message m) {
        switch (m.role()) {
            case TOOL:
                text.append("tool ").append(m.toolName().orElse("?")).append(" (")
                        .append(m.toolCallId().orElse("?")).append("): ").append(m.content())
                        .append('\n');
                break;
            case ASSISTANT:
                if (!m.content().isEmpty() || m.toolCalls().isEmpty()) {
                    text.append("assistant: ").append(m.content()).append('\n');
                }
                for (ToolCall call : m.toolCalls()) {
                    text.append("assistant calls ").append(call.name()).append(" (")
                            .append(call.id()).append("): ").append(call.arguments())
                            .append('\n');
                }
                break;
            default:
                text.append(m.role().wireName()).append(": ").append(m.content()).append('\n');
        }
    }
}
