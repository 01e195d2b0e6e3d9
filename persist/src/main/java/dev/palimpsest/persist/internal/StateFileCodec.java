package dev.palimpsest.persist.internal;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.InvalidModelException;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CorruptStateException.Reason;
import dev.palimpsest.persist.StateTooLargeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps the model to the JSON of state files and archive lines, and back, with Jackson's
 * streaming API: the model carries no annotations, and the field names, their order and their
 * types are spelled out here once (see {@code docs/format.md}).
 *
 * <p>Why streaming and not data binding: reading is strict by construction (duplicate keys,
 * unknown fields, missing fields, {@code null} where a value is required, and values of the wrong
 * JSON type such as a number as a string, a fraction as an integer or an epoch number as an
 * instant are all rejected), a header can be read and the rest of the file left unread, and the
 * launcher starts without the class loading and reflection of an object mapper.
 *
 * <p>Writing puts the small header ({@code schema_version}, {@code conv_id}, {@code revision},
 * {@code updated_at}, {@code counters}) first, so that {@link #readHeader} can stop there.
 * Jackson's read limits are derived from the store's size limit, and its write limits match them,
 * so every state that can be written can be read back.
 */
final class StateFileCodec {
    /** The schema version this code writes and the newest it reads. */
    static final int SCHEMA_VERSION = 1;
    /** The deepest nesting read or written; the format itself needs four levels. */
    static final int MAX_NESTING_DEPTH = 16;
    /** What joins the parts of a state file (see {@link #encode}). */
    private static final byte[] CONTEXT_FIELD = ",\"compressed_context\":".getBytes(
            StandardCharsets.US_ASCII);
    private static final byte[] ROUNDS_FIELD = ",\"recent_rounds\":[".getBytes(
            StandardCharsets.US_ASCII);
    private static final byte[] END = "]}".getBytes(StandardCharsets.US_ASCII);

    private final JsonFactory factory;
    private final long maxBytes;

    /** A failure to read a file, with the reason the store reports. */
    static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        FormatException(Reason reason, String detail, Throwable cause) {
            super(detail, cause);
            this.reason = reason;
        }

        Reason reason() {
            return reason;
        }
    }

    /** The fields of a state file that {@code list} and {@code save} need. */
    record Header(int schemaVersion, String convId, long revision, Optional<Instant> updatedAt,
                  Optional<Counters> counters) {
    }

    /** What to read in {@link #readHeader}: the identity only, or the summary too. */
    enum HeaderScope {
        /** {@code schema_version}, {@code conv_id}, {@code revision}. */
        IDENTITY,
        /** The identity plus {@code updated_at} and {@code counters}. */
        SUMMARY
    }

    StateFileCodec(long maxBytes) {
        this.maxBytes = maxBytes;
        int maxChars = (int) Math.min(Integer.MAX_VALUE, maxBytes);
        this.factory = new JsonFactoryBuilder()
                // Nothing between root values: encode() writes the parts of a state file as
                // root values one after another and joins them itself.
                .rootValueSeparator((String) null)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxDocumentLength(maxBytes)
                        .maxStringLength(maxChars)
                        .maxNameLength(maxChars)
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // Characters beyond the BMP (emoji) as plain 4-byte UTF-8, not as escaped
                // surrogate pairs: smaller, and what every other JSON writer produces.
                .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                .build();
    }

    /** Returns the size limit this codec enforces. */
    long maxBytes() {
        return maxBytes;
    }

    // ----- writing

    /**
     * Encodes a state.
     *
     * @param c the state, with the revision it is stored under
     * @return the file's bytes
     * @throws StateTooLargeException if they would exceed the limit
     */
    byte[] encodeState(Conversation c) {
        return encode(c, null).array();
    }

    /**
     * Encodes a state, copying the JSON of every part that {@code previous} holds an equal value
     * of (the compressed context, each recent round) instead of escaping its text again. The
     * bytes are the same as without {@code previous}: equal values encode to equal bytes.
     *
     * @param c        the state, with the revision it is stored under
     * @param previous an earlier encoding of the same conversation, or null
     * @return the encoding
     * @throws StateTooLargeException if the file would exceed the limit
     */
    EncodedState encode(Conversation c, EncodedState previous) {
        List<Round> rounds = c.recentRounds();
        int parts = rounds.size() + 2;
        // Part 0 is the header, part 1 the compressed context, part 2 + i round i. A part is
        // either copied from previous or written fresh, as one root value after another
        // (the factory puts nothing between root values).
        boolean[] reused = new boolean[parts];
        int[] from = new int[parts];
        int[] to = new int[parts];
        Sink fresh = new Sink(512 + (previous == null ? estimate(c) : 4096));
        try (JsonGenerator g = factory.createGenerator(fresh, JsonEncoding.UTF8)) {
            writeHeader(g, c);
            g.flush();
            // The header is an object of its own; the state continues it, so its '}' is dropped.
            to[0] = fresh.size() - 1;
            if (previous != null && previous.holdsContext(c.compressedContext())) {
                reused[1] = true;
                from[1] = previous.contextFrom();
                to[1] = previous.contextTo();
            } else {
                from[1] = fresh.size();
                g.writeString(c.compressedContext());
                g.flush();
                to[1] = fresh.size();
            }
            for (int i = 0; i < rounds.size(); i++) {
                int part = i + 2;
                int index = previous == null ? -1 : previous.indexOf(rounds.get(i));
                if (index >= 0) {
                    reused[part] = true;
                    from[part] = previous.roundFrom(index);
                    to[part] = previous.roundTo(index);
                } else {
                    from[part] = fresh.size();
                    writeRound(g, rounds.get(i));
                    g.flush();
                    to[part] = fresh.size();
                }
            }
        } catch (IOException e) {
            // Writing to memory fails only through a bug (or a limit the model cannot reach).
            throw new UncheckedIOException("encoding failed: " + e.getMessage(), e);
        }
        byte[] freshBytes = fresh.array();
        long length = (long) to[0] + CONTEXT_FIELD.length + ROUNDS_FIELD.length + END.length;
        for (int part = 1; part < parts; part++) {
            length += to[part] - from[part] + (part > 2 ? 1 : 0);
        }
        if (length > maxBytes) {
            throw new StateTooLargeException(c.convId(), length, maxBytes, "the state");
        }
        byte[] out = new byte[(int) length];
        int at = 0;
        int[] roundSpans = new int[2 * rounds.size()];
        at = put(out, at, freshBytes, 0, to[0]);
        at = put(out, at, CONTEXT_FIELD, 0, CONTEXT_FIELD.length);
        int contextFrom = at;
        at = put(out, at, reused[1] ? previous.array() : freshBytes, from[1], to[1]);
        int contextTo = at;
        at = put(out, at, ROUNDS_FIELD, 0, ROUNDS_FIELD.length);
        for (int i = 0; i < rounds.size(); i++) {
            int part = i + 2;
            if (i > 0) {
                out[at++] = ',';
            }
            roundSpans[2 * i] = at;
            at = put(out, at, reused[part] ? previous.array() : freshBytes, from[part], to[part]);
            roundSpans[2 * i + 1] = at;
        }
        put(out, at, END, 0, END.length);
        return new EncodedState(c, out, contextFrom, contextTo, roundSpans);
    }

    private static int put(byte[] out, int at, byte[] source, int from, int to) {
        System.arraycopy(source, from, out, at, to - from);
        return at + to - from;
    }

    /** An in-memory output whose array is read without a copy. */
    private static final class Sink extends ByteArrayOutputStream {
        Sink(int size) {
            super(size);
        }

        byte[] array() {
            return buf;
        }
    }

    /** Writes the fields that come before the compressed context, as an object of their own. */
    private static void writeHeader(JsonGenerator g, Conversation c) throws IOException {
        g.writeStartObject();
        g.writeNumberField("schema_version", SCHEMA_VERSION);
        g.writeStringField("conv_id", c.convId());
        g.writeNumberField("revision", c.revision());
        g.writeStringField("updated_at", c.updatedAt().toString());
        g.writeFieldName("counters");
        writeCounters(g, c.counters());
        g.writeEndObject();
    }

    /**
     * Encodes one archive line, with its terminating newline.
     *
     * @param round the round
     * @return the line's bytes
     */
    byte[] encodeArchiveLine(Round round) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(
                64 + 2 * (round.user().length() + round.assistant().length()));
        try (JsonGenerator g = factory.createGenerator(out, JsonEncoding.UTF8)) {
            writeRound(g, round);
        } catch (IOException e) {
            throw new UncheckedIOException("encoding failed: " + e.getMessage(), e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    private static int estimate(Conversation c) {
        long chars = 512L + c.compressedContext().length();
        for (Round r : c.recentRounds()) {
            chars += 160 + r.user().length() + r.assistant().length();
        }
        return (int) Math.min(1 << 24, chars + chars / 8);
    }

    private static void writeCounters(JsonGenerator g, Counters k) throws IOException {
        g.writeStartObject();
        g.writeNumberField("rounds_total", k.roundsTotal());
        g.writeNumberField("compactions", k.compactions());
        g.writeNumberField("compacted_rounds", k.compactedRounds());
        g.writeNumberField("compaction_failures", k.compactionFailures());
        g.writeNumberField("context_tokens", k.contextTokens());
        g.writeNumberField("recent_tokens", k.recentTokens());
        g.writeFieldName("last_compacted_at");
        if (k.lastCompactedAt().isPresent()) {
            g.writeString(k.lastCompactedAt().get().toString());
        } else {
            g.writeNull();
        }
        g.writeEndObject();
    }

    private static void writeRound(JsonGenerator g, Round r) throws IOException {
        g.writeStartObject();
        g.writeNumberField("seq", r.seq());
        g.writeStringField("user", r.user());
        g.writeStringField("assistant", r.assistant());
        g.writeStringField("created_at", r.createdAt().toString());
        g.writeObjectFieldStart("metadata");
        // The model keeps metadata sorted by key, so equal rounds encode to equal bytes.
        for (Map.Entry<String, String> e : r.metadata().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    // ----- reading

    /**
     * Decodes a whole state file.
     *
     * @param bytes the file's bytes, within the limit
     * @return the state
     * @throws FormatException if the bytes are not a valid state of a known schema
     */
    Conversation decodeState(byte[] bytes) throws FormatException {
        try (JsonParser p = factory.createParser(bytes)) {
            Conversation c = readState(p);
            if (p.nextToken() != null) {
                throw malformed("content after the end of the state object");
            }
            return c;
        } catch (FormatException | IOException | InvalidModelException e) {
            // A newer schema may change anything; report it as such rather than as malformed.
            rejectNewerSchema(bytes);
            throw classify(e);
        }
    }

    /**
     * Decodes one archive line (without its newline).
     *
     * @param bytes  the line
     * @param from   where it starts
     * @param length its length
     * @return the round
     * @throws FormatException if the line is not a valid round
     */
    Round decodeArchiveLine(byte[] bytes, int from, int length) throws FormatException {
        try (JsonParser p = factory.createParser(bytes, from, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("an archive line must be a JSON object, was " + p.currentToken());
            }
            Round round = readRound(p, "the round");
            if (p.nextToken() != null) {
                throw malformed("content after the end of the round object");
            }
            return round;
        } catch (FormatException | IOException | InvalidModelException e) {
            throw classify(e);
        }
    }

    /**
     * Reads the header fields of a state file, stopping as soon as it has them (writers put them
     * first, but any order is read).
     *
     * @param in    the file's content
     * @param scope which fields to read
     * @return the header
     * @throws FormatException if the header is malformed or of a newer schema
     */
    Header readHeader(InputStream in, HeaderScope scope) throws FormatException {
        Long schema = null;
        String convId = null;
        Long revision = null;
        String updatedAt = null;
        Counters counters = null;
        boolean summary = scope == HeaderScope.SUMMARY;
        try (JsonParser p = factory.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw malformed("a state file must hold a JSON object, was " + p.currentToken());
            }
            while (schema == null || convId == null || revision == null
                    || (summary && (updatedAt == null || counters == null))) {
                if (p.nextToken() != JsonToken.FIELD_NAME) {
                    break;
                }
                String name = p.currentName();
                p.nextToken();
                switch (name) {
                    case "schema_version" -> {
                        schema = integer(p, name);
                        checkSchema(schema);
                    }
                    case "conv_id" -> convId = text(p, name);
                    case "revision" -> revision = integer(p, name);
                    case "updated_at" -> updatedAt = text(p, name);
                    case "counters" -> {
                        if (summary) {
                            counters = readCounters(p);
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (schema == null || convId == null || revision == null
                    || (summary && (updatedAt == null || counters == null))) {
                throw malformed("the header lacks one of schema_version, conv_id, revision"
                        + (summary ? ", updated_at, counters" : ""));
            }
            if (convId.isEmpty() || revision < 0) {
                throw new InvalidModelException("conv_id must not be empty and revision >= 0,"
                        + " were '" + convId + "' and " + revision);
            }
            return new Header(schema.intValue(), convId, revision,
                    summary ? Optional.of(instant(updatedAt, "updated_at")) : Optional.empty(),
                    Optional.ofNullable(counters));
        } catch (FormatException | IOException | InvalidModelException e) {
            throw classify(e);
        }
    }

    private Conversation readState(JsonParser p) throws IOException, FormatException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed("a state file must hold a JSON object, was " + p.currentToken());
        }
        Long schema = null;
        String convId = null;
        Long revision = null;
        String updatedAt = null;
        Counters counters = null;
        String context = null;
        List<Round> rounds = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "schema_version" -> {
                    schema = integer(p, name);
                    checkSchema(schema);
                }
                case "conv_id" -> convId = text(p, name);
                case "revision" -> revision = integer(p, name);
                case "updated_at" -> updatedAt = text(p, name);
                case "counters" -> counters = readCounters(p);
                case "compressed_context" -> context = text(p, name);
                case "recent_rounds" -> rounds = readRounds(p);
                default -> throw malformed("unknown field " + name);
            }
        }
        required(schema, "schema_version");
        required(convId, "conv_id");
        required(revision, "revision");
        required(updatedAt, "updated_at");
        required(counters, "counters");
        required(context, "compressed_context");
        required(rounds, "recent_rounds");
        return new Conversation(convId, revision, instant(updatedAt, "updated_at"), context,
                rounds, counters);
    }

    private Counters readCounters(JsonParser p) throws IOException, FormatException {
        expect(p, JsonToken.START_OBJECT, "counters", "an object");
        Long total = null;
        Long compactions = null;
        Long compacted = null;
        Long failures = null;
        Long contextTokens = null;
        Long recentTokens = null;
        Optional<Instant> last = Optional.empty();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            String field = "counters." + name;
            switch (name) {
                case "rounds_total" -> total = integer(p, field);
                case "compactions" -> compactions = integer(p, field);
                case "compacted_rounds" -> compacted = integer(p, field);
                case "compaction_failures" -> failures = integer(p, field);
                case "context_tokens" -> contextTokens = integer(p, field);
                case "recent_tokens" -> recentTokens = integer(p, field);
                case "last_compacted_at" -> last = p.currentToken() == JsonToken.VALUE_NULL
                        ? Optional.empty() : Optional.of(instant(text(p, field), field));
                default -> throw malformed("unknown field " + field);
            }
        }
        // last_compacted_at is null (or absent) until the first compaction.
        return new Counters(required(total, "counters.rounds_total"),
                required(compactions, "counters.compactions"),
                required(compacted, "counters.compacted_rounds"),
                required(failures, "counters.compaction_failures"),
                required(contextTokens, "counters.context_tokens"),
                required(recentTokens, "counters.recent_tokens"), last);
    }

    private List<Round> readRounds(JsonParser p) throws IOException, FormatException {
        expect(p, JsonToken.START_ARRAY, "recent_rounds", "an array");
        List<Round> rounds = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String what = "recent_rounds[" + rounds.size() + "]";
            expect(p, JsonToken.START_OBJECT, what, "an object");
            rounds.add(readRound(p, what));
        }
        return rounds;
    }

    /** Reads a round whose START_OBJECT is the current token. */
    private Round readRound(JsonParser p, String what) throws IOException, FormatException {
        Long seq = null;
        String user = null;
        String assistant = null;
        String createdAt = null;
        Map<String, String> metadata = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            String field = what + "." + name;
            switch (name) {
                case "seq" -> seq = integer(p, field);
                case "user" -> user = text(p, field);
                case "assistant" -> assistant = text(p, field);
                case "created_at" -> createdAt = text(p, field);
                case "metadata" -> metadata = readMetadata(p, field);
                default -> throw malformed("unknown field " + field);
            }
        }
        required(seq, what + ".seq");
        required(user, what + ".user");
        required(assistant, what + ".assistant");
        required(createdAt, what + ".created_at");
        required(metadata, what + ".metadata");
        return new Round(seq, user, assistant, instant(createdAt, "created_at of round " + seq),
                metadata);
    }

    private Map<String, String> readMetadata(JsonParser p, String field)
            throws IOException, FormatException {
        expect(p, JsonToken.START_OBJECT, field, "an object");
        Map<String, String> metadata = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            p.nextToken();
            metadata.put(key, text(p, field + " value of key '" + key + "'"));
        }
        return metadata;
    }

    private static void expect(JsonParser p, JsonToken token, String field, String what)
            throws FormatException {
        if (p.currentToken() != token) {
            throw malformed(field + " must be " + what + ", was " + describe(p.currentToken()));
        }
    }

    /** Reads an integer that fits a long; no coercion from strings, fractions or booleans. */
    private static long integer(JsonParser p, String field) throws IOException, FormatException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw malformed(field + " must be an integer, was " + describe(p.currentToken()));
        }
        JsonParser.NumberType type = p.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            throw malformed(field + " is out of the range of a 64-bit integer: " + p.getText());
        }
        return p.getLongValue();
    }

    /** Reads a string; no coercion from numbers or booleans, and no null. */
    private static String text(JsonParser p, String field) throws IOException, FormatException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw malformed(field + " must be a string, was " + describe(p.currentToken()));
        }
        return p.getText();
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "the end of the input";
        }
        return switch (token) {
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fraction";
            case VALUE_STRING -> "a string";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> token.toString();
        };
    }

    private static <T> T required(T value, String field) throws FormatException {
        if (value == null) {
            throw malformed("missing field " + field);
        }
        return value;
    }

    private void rejectNewerSchema(byte[] bytes) throws FormatException {
        try (JsonParser p = factory.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("schema_version") && value == JsonToken.VALUE_NUMBER_INT) {
                    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                            || p.getLongValue() > SCHEMA_VERSION) {
                        throw new FormatException(Reason.NEWER_SCHEMA, "schema_version "
                                + p.getText() + " is newer than the newest known, "
                                + SCHEMA_VERSION, null);
                    }
                    return;
                }
                p.skipChildren();
            }
        } catch (IOException e) {
            // Malformed before a schema version was seen: the caller reports it as malformed.
        }
    }

    private static void checkSchema(long version) throws FormatException {
        if (version > SCHEMA_VERSION) {
            throw new FormatException(Reason.NEWER_SCHEMA, "schema_version " + version
                    + " is newer than the newest known, " + SCHEMA_VERSION, null);
        }
        if (version < 1) {
            throw malformed("schema_version " + version + " does not exist");
        }
    }

    private static FormatException malformed(String detail) {
        return new FormatException(Reason.MALFORMED, detail, null);
    }

    /** Maps what reading threw to the reason the store reports. */
    private static FormatException classify(Exception e) {
        if (e instanceof FormatException f) {
            return f;
        }
        if (e instanceof InvalidModelException) {
            return new FormatException(Reason.INVALID_CONTENT, e.getMessage(), e);
        }
        String detail = e instanceof JacksonException j ? j.getOriginalMessage() : e.toString();
        return new FormatException(Reason.MALFORMED, detail, e);
    }

    private static Instant instant(String text, String field) {
        return IsoInstants.parse(text).orElseThrow(() -> new InvalidModelException(field
                + " is not an ISO-8601 instant in UTC like 2026-11-25T10:15:30Z: '" + text
                + "'"));
    }
}
