package dev.palimpsest.bench;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The "typical state" of the benchmarks: 20 recent rounds of about 2 KB each (a 600-character
 * question, a 1,400-character answer) and an 8 KB compressed context, as a conversation looks
 * after its first compactions. Text is deterministic English-like ASCII, so every run and every
 * contender stores the same bytes.
 */
final class TypicalState {
    /** Rounds in the typical window. */
    static final int ROUNDS = 20;
    /** Rounds folded into the compressed context before the typical window. */
    static final int COMPACTED = 4;
    /** Characters of a typical user message. */
    static final int USER_CHARS = 600;
    /** Characters of a typical assistant message. */
    static final int ASSISTANT_CHARS = 1400;
    /** Characters of the typical compressed context. */
    static final int SUMMARY_CHARS = 8 * 1024;

    private static final String[] WORDS = {
        "the", "store", "keeps", "every", "round", "durable", "before", "it", "returns", "and",
        "compaction", "folds", "older", "rounds", "into", "a", "summary", "so", "context", "stays",
        "bounded", "while", "archive", "grows", "agent", "asked", "about", "deployment", "of",
        "service", "with", "three", "replicas", "answer", "explains", "rolling", "update", "plan",
        "checks", "health", "endpoint", "latency", "budget", "retry", "policy", "token", "window",
        "model", "tool", "call", "result", "file", "system", "rename", "fsync", "directory",
    };
    private static final Instant EPOCH_OF_RUN = Instant.parse("2026-11-25T12:00:00Z");

    private TypicalState() {
    }

    /**
     * Returns deterministic prose of exactly {@code chars} characters.
     *
     * @param seed  selects the text
     * @param chars the length
     * @return the text
     */
    static String text(long seed, int chars) {
        Random random = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 16);
        while (sb.length() < chars) {
            sb.append(WORDS[random.nextInt(WORDS.length)]);
            sb.append(random.nextInt(12) == 0 ? ". " : " ");
        }
        sb.setLength(chars);
        return sb.toString();
    }

    /**
     * Returns round {@code seq} of a conversation's typical traffic: a user and an assistant
     * message, the assistant's with the model in its metadata.
     *
     * @param convId the conversation (selects the text)
     * @param seq    the round's number
     * @return the two messages, with their token estimates
     */
    static List<NewMessage> round(String convId, long seq) {
        long seed = convId.hashCode() * 1_000_003L + seq;
        return List.of(new NewMessage(Message.user(text(seed, USER_CHARS)), USER_CHARS / 4),
                new NewMessage(Message.assistant(text(~seed, ASSISTANT_CHARS))
                        .withMetadata(Map.of("model", "bench-model")), ASSISTANT_CHARS / 4));
    }

    /**
     * Stores the typical state of {@code convId}: {@link #COMPACTED} + {@link #ROUNDS} rounds
     * appended in one request, then the oldest {@link #COMPACTED} folded into an 8 KB compressed
     * context, so {@link #ROUNDS} stay recent.
     *
     * @param store  where to store it
     * @param convId the conversation, not stored yet
     */
    static void store(ConversationStore store, String convId) {
        List<NewMessage> messages = new ArrayList<>();
        for (int seq = 1; seq <= COMPACTED + ROUNDS; seq++) {
            messages.addAll(round(convId, seq));
        }
        store.append(new AppendRequest(convId, messages, Expectation.nextRoundSeq(1),
                EPOCH_OF_RUN));
        store.commitCompaction(new CompactionRequest(convId, 0, COMPACTED,
                text(7, SUMMARY_CHARS), SUMMARY_CHARS / 4, EPOCH_OF_RUN.plusSeconds(1)));
    }
}
