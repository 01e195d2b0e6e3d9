package dev.palimpsest.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Generates valid model values, covering any Unicode, control characters and edge sizes. */
final class ModelGenerator {
    private final Random random;

    ModelGenerator(Random random) {
        this.random = random;
    }

    String text(int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder sb = new StringBuilder(length);
        while (sb.length() < length) {
            int kind = random.nextInt(6);
            int cp = switch (kind) {
                case 0 -> 0x20 + random.nextInt(0x5f);
                case 1 -> random.nextInt(0x20);
                case 2 -> 0xa0 + random.nextInt(0xd7ff - 0xa0);
                case 3 -> 0x1f600 + random.nextInt(0x50);
                case 4 -> 0x10000 + random.nextInt(0x10ffff - 0x10000);
                default -> 0xe000 + random.nextInt(0x2000);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    Instant instant() {
        return Instant.ofEpochSecond(random.nextInt(2_000_000_000), random.nextInt(1_000_000_000));
    }

    Round round(long seq) {
        Map<String, String> meta = new LinkedHashMap<>();
        int n = random.nextInt(3);
        for (int i = 0; i < n; i++) {
            meta.put("k" + i + text(4), text(12));
        }
        return new Round(seq, text(40), text(40), instant(), meta);
    }

    Conversation conversation() {
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
        return new Conversation("c-" + text(8), random.nextInt(100), instant(),
                compacted == 0 ? "" : text(200), rounds, counters);
    }

    /** Rebuilds {@code c} from fresh copies of all its parts, sharing no instance with it. */
    static Conversation deepCopy(Conversation c) {
        List<Round> rounds = new ArrayList<>();
        for (Round r : c.recentRounds()) {
            rounds.add(new Round(r.seq(), new String(r.user()), new String(r.assistant()),
                    Instant.ofEpochSecond(r.createdAt().getEpochSecond(), r.createdAt().getNano()),
                    new LinkedHashMap<>(r.metadata())));
        }
        Counters k = c.counters();
        return new Conversation(new String(c.convId()), c.revision(),
                Instant.parse(c.updatedAt().toString()), new String(c.compressedContext()), rounds,
                new Counters(k.roundsTotal(), k.compactions(), k.compactedRounds(),
                        k.compactionFailures(), k.contextTokens(), k.recentTokens(),
                        k.lastCompactedAt().map(t -> Instant.parse(t.toString()))));
    }
}
