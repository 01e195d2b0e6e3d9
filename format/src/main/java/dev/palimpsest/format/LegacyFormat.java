package dev.palimpsest.format;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the first generation's files (schema version 1, docs/format.md): a state file and the
 * lines of its archive, so that a store of schema 2 loads and migrates them. Only reading: schema
 * 1 is never written again.
 */
public final class LegacyFormat {
    private LegacyFormat() {
    }

    /**
     * A round of schema 1: one user text and one assistant text.
     *
     * @param seq       its number
     * @param user      what the user said (may be empty)
     * @param assistant what the assistant answered (may be empty)
     * @param createdAt when it was appended
     * @param metadata  its metadata
     */
    public record Round(long seq, String user, String assistant, Instant createdAt,
                        Map<String, String> metadata) {
        /**
         * Copies the metadata.
         *
         * @param seq       its number
         * @param user      what the user said
         * @param assistant what the assistant answered
         * @param createdAt when it was appended
         * @param metadata  its metadata
         */
        public Round {
            metadata = Map.copyOf(metadata);
        }
    }

    /**
     * A state file of schema 1.
     *
     * @param convId             the conversation id
     * @param revision           how many times it was stored
     * @param updatedAt          when it last changed
     * @param roundsTotal        rounds ever appended
     * @param compactions        compactions committed
     * @param compactedRounds    rounds folded into the context (and moved to the archive)
     * @param compactionFailures compactions that failed
     * @param contextTokens      the token estimate of the context
     * @param lastCompactedAt    when the last compaction committed, or null
     * @param compressedContext  the summary of the compacted rounds
     * @param recentRounds       the recent rounds
     */
    public record State(String convId, long revision, Instant updatedAt, long roundsTotal,
                        long compactions, long compactedRounds, long compactionFailures,
                        long contextTokens, Instant lastCompactedAt, String compressedContext,
                        List<Round> recentRounds) {
        /**
         * Copies the rounds.
         *
         * @param convId             the conversation id
         * @param revision           how many times it was stored
         * @param updatedAt          when it last changed
         * @param roundsTotal        rounds ever appended
         * @param compactions        compactions committed
         * @param compactedRounds    rounds folded into the context
         * @param compactionFailures compactions that failed
         * @param contextTokens      the token estimate of the context
         * @param lastCompactedAt    when the last compaction committed, or null
         * @param compressedContext  the summary of the compacted rounds
         * @param recentRounds       the recent rounds
         */
        public State {
            recentRounds = List.copyOf(recentRounds);
        }
    }

    /**
     * {@return the state a schema-1 state file holds}
     *
     * @param bytes the file's bytes
     * @throws PalimpsestException {@code CORRUPT} naming the field if it is not one
     */
    public static State decodeState(byte[] bytes) {
        try (StrictReader r = FormatCodec.reader(bytes, 0, bytes.length, "state file")) {
            r.startObject("(root)");
            String convId = null;
            long revision = -1;
            long version = -1;
            Instant updatedAt = null;
            long[] counters = null;
            Instant[] last = {null};
            String context = null;
            List<Round> rounds = null;
            for (String f; (f = r.nextField("(root)")) != null; ) {
                switch (f) {
                    case "schema_version" -> version = r.number(f, 1);
                    case "conv_id" -> convId = r.text(f);
                    case "revision" -> revision = r.number(f, 0);
                    case "updated_at" -> updatedAt = r.instant(f);
                    case "counters" -> counters = readCounters(r, last);
                    case "compressed_context" -> context = r.text(f);
                    case "recent_rounds" -> {
                        r.startArray(f);
                        rounds = new ArrayList<>();
                        while (r.nextElement(f)) {
                            String p = f + "[" + rounds.size() + "]";
                            r.currentIsObject(p);
                            rounds.add(readRoundFields(r, p));
                        }
                    }
                    default -> throw r.unknown("(root)", f);
                }
            }
            r.end();
            if (version != 1) {
                throw r.corrupt("schema_version", "must be 1, was " + version);
            }
            if (convId == null || convId.isEmpty() || revision < 0 || updatedAt == null
                    || counters == null || context == null || rounds == null) {
                throw r.corrupt("(root)", "a field of schema 1 is missing");
            }
            return new State(convId, revision, updatedAt, counters[0], counters[1], counters[2],
                    counters[3], counters[4], last[0], context, rounds);
        }
    }

    /**
     * {@return the round one archive line holds}
     *
     * @param bytes  the buffer
     * @param offset where the line starts
     * @param length its length, without the newline
     * @throws PalimpsestException {@code CORRUPT} naming the field if it is not one
     */
    public static Round decodeArchiveLine(byte[] bytes, int offset, int length) {
        try (StrictReader r = FormatCodec.reader(bytes, offset, length, "archive line")) {
            r.startObject("(root)");
            Round round = readRoundFields(r, "(root)");
            r.end();
            return round;
        }
    }

    private static long[] readCounters(StrictReader r, Instant[] last) {
        String path = "counters";
        r.startObject(path);
        List<String> names = List.of("rounds_total", "compactions", "compacted_rounds",
                "compaction_failures", "context_tokens", "recent_tokens");
        long[] v = {-1, -1, -1, -1, -1, -1};
        for (String f; (f = r.nextField(path)) != null; ) {
            if (f.equals("last_compacted_at")) {
                last[0] = r.optionalInstant(path + "." + f);
                continue;
            }
            int i = names.indexOf(f);
            if (i < 0) {
                throw r.unknown(path, f);
            }
            v[i] = r.number(path + "." + f, 0);
        }
        for (int i = 0; i < v.length; i++) {
            if (v[i] < 0) {
                throw r.missing(path, names.get(i));
            }
        }
        return new long[] {v[0], v[1], v[2], v[3], v[4]};
    }

    private static Round readRoundFields(StrictReader r, String path) {
        long seq = -1;
        String user = null;
        String assistant = null;
        Instant createdAt = null;
        Map<String, String> metadata = null;
        for (String f; (f = r.nextField(path)) != null; ) {
            String p = path + "." + f;
            switch (f) {
                case "seq" -> seq = r.number(p, 1);
                case "user" -> user = r.text(p);
                case "assistant" -> assistant = r.text(p);
                case "created_at" -> createdAt = r.instant(p);
                case "metadata" -> {
                    r.startObject(p);
                    metadata = new LinkedHashMap<>();
                    for (String k; (k = r.nextField(p)) != null; ) {
                        metadata.put(k, r.text(p + "." + k));
                    }
                }
                default -> throw r.unknown(path, f);
            }
        }
        if (seq < 0 || user == null || assistant == null || createdAt == null
                || metadata == null) {
            throw new PalimpsestException(FailureKind.CORRUPT, path + ": a round of schema 1"
                    + " needs seq, user, assistant, created_at and metadata");
        }
        return new Round(seq, user, assistant, createdAt, metadata);
    }
}
