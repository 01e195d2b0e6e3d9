package dev.palimpsest.persist.internal;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.module.paramnames.ParameterNamesModule;
import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.InvalidModelException;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CorruptStateException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Maps the model to the JSON of state files and archive lines, and back. The model carries no
 * annotations; the mapping lives in the records here, which mirror the file format of schema
 * version {@value #SCHEMA_VERSION} field by field (see {@code docs/format.md}).
 *
 * <p>Reading is strict: duplicate keys, unknown fields, missing fields, nulls where a value is
 * required, and values of the wrong JSON type (a number as a string, a fraction as an integer) are
 * all rejected. Writing puts the small header ({@code schema_version}, {@code conv_id},
 * {@code revision}, {@code updated_at}, {@code counters}) first, so that {@link #readHeader} can
 * stop reading there. Jackson's read limits are derived from the store's size limit, and its
 * write limits match them, so every state that can be written can be read back.
 */
final class StateFileCodec {
    /** The schema version this code writes and the newest it reads. */
    static final int SCHEMA_VERSION = 1;
    /** The deepest nesting read or written; the format itself needs four levels. */
    static final int MAX_NESTING_DEPTH = 16;

    private final JsonMapper mapper;
    /** Reads the counters in the middle of a header: more tokens follow, by design. */
    private final ObjectReader countersInHeader;
    private final long maxBytes;

    /** A failure to read a file, with the reason the store reports. */
    static final class FormatException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Reason reason;

        FormatException(Reason reason, String detail,
                        Throwable cause) {
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

    @JsonPropertyOrder({"schema_version", "conv_id", "revision", "updated_at", "counters",
            "compressed_context", "recent_rounds"})
    record StateDto(Integer schemaVersion, String convId, Long revision, String updatedAt,
                    CountersDto counters, String compressedContext, List<RoundDto> recentRounds) {
        StateDto {
            required(schemaVersion, "schema_version");
            required(convId, "conv_id");
            required(revision, "revision");
            required(updatedAt, "updated_at");
            required(counters, "counters");
            required(compressedContext, "compressed_context");
            required(recentRounds, "recent_rounds");
            for (int i = 0; i < recentRounds.size(); i++) {
                required(recentRounds.get(i), "recent_rounds[" + i + "]");
            }
        }
    }

    @JsonPropertyOrder({"rounds_total", "compactions", "compacted_rounds", "compaction_failures",
            "context_tokens", "recent_tokens", "last_compacted_at"})
    record CountersDto(Long roundsTotal, Long compactions, Long compactedRounds,
                       Long compactionFailures, Long contextTokens, Long recentTokens,
                       String lastCompactedAt) {
        CountersDto {
            required(roundsTotal, "counters.rounds_total");
            required(compactions, "counters.compactions");
            required(compactedRounds, "counters.compacted_rounds");
            required(compactionFailures, "counters.compaction_failures");
            required(contextTokens, "counters.context_tokens");
            required(recentTokens, "counters.recent_tokens");
            // last_compacted_at is null (or absent) until the first compaction.
        }
    }

    @JsonPropertyOrder({"seq", "user", "assistant", "created_at", "metadata"})
    record RoundDto(Long seq, String user, String assistant, String createdAt,
                    Map<String, String> metadata) {
        RoundDto {
            required(seq, "seq");
            required(user, "user");
            required(assistant, "assistant");
            required(createdAt, "created_at");
            required(metadata, "metadata");
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                required(e.getValue(), "metadata value of key '" + e.getKey() + "'");
            }
        }
    }

    private static void required(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException("missing or null field " + field);
        }
    }

    StateFileCodec(long maxBytes) {
        this.maxBytes = maxBytes;
        int maxChars = (int) Math.min(Integer.MAX_VALUE, maxBytes);
        JsonFactory factory = JsonFactory.builder()
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
        this.mapper = JsonMapper.builder(factory)
                .addModule(new ParameterNamesModule())
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Textual, c -> c
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Integer, c -> c
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                .build();
        this.countersInHeader = mapper.readerFor(CountersDto.class)
                .without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** Returns the size limit this codec enforces. */
    long maxBytes() {
        return maxBytes;
    }

    /**
     * Encodes a state.
     *
     * @param c the state, with the revision it is stored under
     * @return the file's bytes (possibly over the limit: the caller checks)
     */
    byte[] encodeState(Conversation c) {
        StateDto dto = new StateDto(SCHEMA_VERSION, c.convId(), c.revision(),
                c.updatedAt().toString(), toDto(c.counters()), c.compressedContext(),
                c.recentRounds().stream().map(StateFileCodec::toDto).toList());
        return writeBytes(dto);
    }

    /**
     * Encodes one archive line, with its terminating newline.
     *
     * @param round the round
     * @return the line's bytes
     */
    byte[] encodeArchiveLine(Round round) {
        byte[] json = writeBytes(toDto(round));
        byte[] line = new byte[json.length + 1];
        System.arraycopy(json, 0, line, 0, json.length);
        line[json.length] = '\n';
        return line;
    }

    private byte[] writeBytes(Object dto) {
        try {
            return mapper.writeValueAsBytes(dto);
        } catch (JacksonException e) {
            // Only a bug makes the mapping of valid model values fail.
            throw new IllegalStateException("encoding failed: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Decodes a whole state file.
     *
     * @param bytes the file's bytes, within the limit
     * @return the state
     * @throws FormatException if the bytes are not a valid state of a known schema
     */
    Conversation decodeState(byte[] bytes) throws FormatException {
        StateDto dto;
        try {
            dto = mapper.readValue(bytes, StateDto.class);
        } catch (IOException e) {
            // A newer schema may change anything; report it as such rather than as malformed.
            rejectNewerSchema(bytes);
            throw malformed(e);
        }
        if (dto == null) {
            throw new FormatException(Reason.MALFORMED, "the file holds null, not an object",
                    null);
        }
        checkSchema(dto.schemaVersion());
        try {
            return new Conversation(dto.convId(), dto.revision(), instant(dto.updatedAt(),
                    "updated_at"), dto.compressedContext(), rounds(dto.recentRounds()),
                    counters(dto.counters()));
        } catch (InvalidModelException e) {
            throw new FormatException(
                    Reason.INVALID_CONTENT,
                    e.getMessage(), e);
        }
    }

    /**
     * Decodes one archive line (without its newline).
     *
     * @param bytes the line
     * @param from  where it starts
     * @param length its length
     * @return the round
     * @throws FormatException if the line is not a valid round
     */
    Round decodeArchiveLine(byte[] bytes, int from, int length) throws FormatException {
        RoundDto dto;
        try {
            dto = mapper.readValue(bytes, from, length, RoundDto.class);
        } catch (IOException e) {
            throw malformed(e);
        }
        if (dto == null) {
            throw new FormatException(Reason.MALFORMED, "the line holds null, not an object",
                    null);
        }
        try {
            return round(dto);
        } catch (InvalidModelException e) {
            throw new FormatException(
                    Reason.INVALID_CONTENT,
                    e.getMessage(), e);
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
        Integer schema = null;
        String convId = null;
        Long revision = null;
        String updatedAt = null;
        CountersDto counters = null;
        boolean summary = scope == HeaderScope.SUMMARY;
        try (JsonParser parser = mapper.createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new FormatException(
                        Reason.MALFORMED,
                        "not a JSON object", null);
            }
            while (schema == null || convId == null || revision == null
                    || (summary && (updatedAt == null || counters == null))) {
                JsonToken token = parser.nextToken();
                if (token != JsonToken.FIELD_NAME) {
                    break;
                }
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "schema_version" -> {
                        schema = (int) integer(parser, value, name);
                        checkSchema(schema);
                    }
                    case "conv_id" -> convId = text(parser, value, name);
                    case "revision" -> revision = integer(parser, value, name);
                    case "updated_at" -> updatedAt = text(parser, value, name);
                    case "counters" -> {
                        if (summary) {
                            if (value != JsonToken.START_OBJECT) {
                                throw new FormatException(Reason.MALFORMED,
                                        "counters must be an object, was " + value, null);
                            }
                            counters = countersInHeader.readValue(parser);
                        } else {
                            parser.skipChildren();
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw malformed(e);
        }
        if (schema == null || convId == null || revision == null
                || (summary && (updatedAt == null || counters == null))) {
            throw new FormatException(Reason.MALFORMED,
                    "the header lacks a field of schema_version, conv_id, revision"
                            + (summary ? ", updated_at, counters" : ""), null);
        }
        try {
            if (convId.isEmpty() || revision < 0) {
                throw new InvalidModelException("conv_id must not be empty and revision >= 0,"
                        + " were '" + convId + "' and " + revision);
            }
            return new Header(schema, convId, revision,
                    summary ? Optional.of(instant(updatedAt, "updated_at")) : Optional.empty(),
                    summary ? Optional.of(counters(counters)) : Optional.empty());
        } catch (InvalidModelException e) {
            throw new FormatException(
                    Reason.INVALID_CONTENT,
                    e.getMessage(), e);
        }
    }

    private static long integer(JsonParser parser, JsonToken value, String name)
            throws IOException, FormatException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            throw new FormatException(Reason.MALFORMED,
                    name + " must be an integer, was " + value, null);
        }
        return parser.getLongValue();
    }

    private static String text(JsonParser parser, JsonToken value, String name)
            throws IOException, FormatException {
        if (value != JsonToken.VALUE_STRING) {
            throw new FormatException(Reason.MALFORMED,
                    name + " must be a string, was " + value, null);
        }
        return parser.getText();
    }

    private void rejectNewerSchema(byte[] bytes) throws FormatException {
        try (JsonParser parser = mapper.createParser(bytes)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("schema_version") && value == JsonToken.VALUE_NUMBER_INT) {
                    checkSchema(parser.getLongValue());
                    return;
                }
                parser.skipChildren();
            }
        } catch (IOException e) {
            // Malformed before a schema version was seen: the caller reports it as malformed.
        }
    }

    private static void checkSchema(long version) throws FormatException {
        if (version > SCHEMA_VERSION) {
            throw new FormatException(
                    Reason.NEWER_SCHEMA,
                    "schema_version " + version + " is newer than the newest known, "
                            + SCHEMA_VERSION, null);
        }
        if (version < 1) {
            throw new FormatException(Reason.MALFORMED,
                    "schema_version " + version + " does not exist", null);
        }
    }

    private static FormatException malformed(IOException e) {
        String detail = e instanceof JacksonException j ? j.getOriginalMessage() : e.toString();
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
            // A record's compact constructor named the missing field.
            detail = cause.getMessage();
        }
        return new FormatException(Reason.MALFORMED,
                detail, e);
    }

    private static Instant instant(String text, String field) {
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(text, Instant::from);
        } catch (DateTimeException e) {
            throw new InvalidModelException(field + " is not an ISO-8601 instant: '" + text + "'");
        }
    }

    private static List<Round> rounds(List<RoundDto> dtos) {
        List<Round> rounds = new ArrayList<>(dtos.size());
        for (RoundDto dto : dtos) {
            rounds.add(round(dto));
        }
        return rounds;
    }

    private static Round round(RoundDto dto) {
        return new Round(dto.seq(), dto.user(), dto.assistant(),
                instant(dto.createdAt(), "created_at of round " + dto.seq()), dto.metadata());
    }

    private static Counters counters(CountersDto dto) {
        return new Counters(dto.roundsTotal(), dto.compactions(), dto.compactedRounds(),
                dto.compactionFailures(), dto.contextTokens(), dto.recentTokens(),
                dto.lastCompactedAt() == null ? Optional.empty()
                        : Optional.of(instant(dto.lastCompactedAt(), "last_compacted_at")));
    }

    private static CountersDto toDto(Counters k) {
        return new CountersDto(k.roundsTotal(), k.compactions(), k.compactedRounds(),
                k.compactionFailures(), k.contextTokens(), k.recentTokens(),
                k.lastCompactedAt().map(Instant::toString).orElse(null));
    }

    private static RoundDto toDto(Round r) {
        return new RoundDto(r.seq(), r.user(), r.assistant(), r.createdAt().toString(),
                new LinkedHashMap<>(r.metadata()));
    }
}
