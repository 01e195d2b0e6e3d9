package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
     * Returns round {@code seq} of a conversation's typical traffic.
     *
     * @param convId the conversation (selects the text)
     * @param seq    the sequence number
     * @return the round
     */
    static Round round(String convId, long seq) {
        long seed = convId.hashCode() * 1_000_003L + seq;
        return new Round(seq, text(seed, USER_CHARS), text(~seed, ASSISTANT_CHARS),
                EPOCH_OF_RUN.plusSeconds(seq), Map.of("model", "bench-model"));
    }

    /**
     * Returns the typical state: 20 rounds numbered after 80 compacted ones, an 8 KB summary.
     *
     * @param convId the conversation id
     * @return the state, at revision 0 (never stored)
     */
    static Conversation conversation(String convId) {
        long compacted = 80;
        List<Round> rounds = new ArrayList<>();
        for (int i = 1; i <= ROUNDS; i++) {
            rounds.add(round(convId, compacted + i));
        }
        Instant last = EPOCH_OF_RUN.plusSeconds(compacted + ROUNDS);
        Counters counters = new Counters(compacted + ROUNDS, 4, compacted, 0,
                SUMMARY_CHARS / 4, ROUNDS * (USER_CHARS + ASSISTANT_CHARS) / 4L,
                Optional.of(EPOCH_OF_RUN.plusSeconds(compacted)));
        return new Conversation(convId, 0, last, text(7, SUMMARY_CHARS), rounds, counters);
    }
}
