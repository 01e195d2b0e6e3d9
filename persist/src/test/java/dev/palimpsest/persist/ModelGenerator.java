package dev.palimpsest.persist;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Generates valid conversations for round-trip tests: any Unicode (emoji, control characters,
 * private use, U+2028), empty texts, and now and then very long ones.
 */
public final class ModelGenerator {
    private final Random random;

    /**
     * Creates a generator.
     *
     * @param random the source of every choice
     */
    public ModelGenerator(Random random) {
        this.random = random;
    }

    /**
     * Returns text of up to {@code maxLength} chars, sometimes empty, sometimes far longer.
     *
     * @param maxLength the usual maximum
     * @return the text
     */
    public String text(int maxLength) {
        int choice = random.nextInt(20);
        return chars(choice == 0 ? 0 : choice == 1 ? 20_000 + random.nextInt(50_000)
                : random.nextInt(maxLength + 1));
    }

    /**
     * Returns text of up to {@code maxLength} chars, never longer.
     *
     * @param maxLength the maximum
     * @return the text
     */
    public String shortText(int maxLength) {
        return chars(random.nextInt(maxLength + 1));
    }

    private String chars(int length) {
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            int cp = switch (random.nextInt(8)) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> random.nextInt(0x20);
                case 2 -> 0xa0 + random.nextInt(0xd7ff - 0xa0);
                case 3 -> 0x1f600 + random.nextInt(0x50);
                case 4 -> 0x10000 + random.nextInt(0x10ffff - 0x10000);
                case 5 -> "\"\\/\u2028\u2029\u007f\ufeff\ufffd".charAt(random.nextInt(8));
                case 6 -> 0xe000 + random.nextInt(0x2000);
                default -> 'a' + random.nextInt(26);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    /**
     * Returns a conversation id: plain, escaped, or long enough to be hashed.
     *
     * @return the id
     */
    public String id() {
        return switch (random.nextInt(4)) {
            case 0 -> "c-" + random.nextInt(1_000_000);
            case 1 -> "id " + shortText(12) + "x";
            case 2 -> "long-" + "é".repeat(100 + random.nextInt(200));
            default -> "ü/" + random.nextLong();
        };
    }

    /**
     * Returns an instant anywhere from 1970 to 2033, with nanoseconds.
     *
     * @return the instant
     */
    public Instant instant() {
        return Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
    }

    /**
     * Returns a round.
     *
     * @param seq its sequence number
     * @return the round
     */
    public Round round(long seq) {
        Map<String, String> meta = new LinkedHashMap<>();
        int n = random.nextInt(4);
        for (int i = 0; i < n; i++) {
            meta.put("k" + i + shortText(4), text(12));
        }
        return new Round(seq, text(60), text(60), instant(), meta);
    }

    /**
     * Returns a consistent conversation with the given id, never stored (revision 0).
     *
     * @param convId the id
     * @return the conversation
     */
    public Conversation conversation(String convId) {
        long compacted = random.nextInt(4) == 0 ? 0 : random.nextInt(1000);
        int recent = random.nextInt(6);
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < recent; i++) {
            rounds.add(round(compacted + 1 + i));
        }
        long compactions = compacted == 0 ? 0 : 1 + random.nextInt((int) Math.min(compacted, 50));
        Counters counters = new Counters(compacted + recent, compactions, compacted,
                random.nextInt(3), random.nextInt(5000), random.nextInt(5000),
                compactions == 0 ? Optional.empty() : Optional.of(instant()));
        return new Conversation(convId, 0, instant(), compacted == 0 ? "" : text(300), rounds,
                counters);
    }
}
