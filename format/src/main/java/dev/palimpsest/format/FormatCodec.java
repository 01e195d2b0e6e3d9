package dev.palimpsest.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Encodes and decodes the stored formats v2 (docs/format.md). Encoding is deterministic: equal
 * values give equal bytes. Decoding is strict and fails with {@code CORRUPT} naming the field.
 */
public final class FormatCodec {
    /** The schema version of the checkpoints this codec writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 2;
    /** The deepest nesting read or written; the formats need 6. */
    public static final int MAX_NESTING_DEPTH = 32;

    private static final JsonFactory FACTORY = new JsonFactoryBuilder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(4096)
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .build())
            .streamWriteConstraints(StreamWriteConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Characters beyond the BMP (emoji) as plain 4-byte UTF-8, not escaped pairs.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .build();

    private FormatCodec() {
    }

    // ---- log records

    /**
     * {@return the payload of a log record: one line of compact JSON, {@code "type"} first}
     *
     * @param record the record
     */
    public static byte[] encodeRecord(LogRecord record) {
        return write(false, g -> {
            g.writeStartObject();
            if (record instanceof LogRecord.Append a) {
                g.writeStringField("type", "append");
                g.writeNumberField("revision", a.revision());
                g.writeStringField("at", a.at().toString());
                g.writeArrayFieldStart("messages");
                for (StoredMessage m : a.messages()) {
                    writeMessage(g, m);
                }
                g.writeEndArray();
            } else if (record instanceof LogRecord.Compaction c) {
                g.writeStringField("type", "compaction");
                g.writeNumberField("revision", c.revision());
                g.writeStringField("at", c.at().toString());
                g.writeNumberField("through_round", c.throughRound());
                g.writeStringField("compressed_context", c.compressedContext());
                g.writeNumberField("context_tokens", c.contextTokens());
            } else {
                g.writeStringField("type", "compaction_failure");
                g.writeNumberField("revision", record.revision());
                g.writeStringField("at", record.at().toString());
            }
            g.writeEndObject();
        });
    }

    /**
     * {@return the log record a payload holds}
     *
     * @param bytes  the buffer
     * @param offset where the payload starts
     * @param length its length
     * @throws PalimpsestException of kind {@code CORRUPT} naming what is wrong
     */
    public static LogRecord decodeRecord(byte[] bytes, int offset, int length) {
        try (StrictReader r = reader(bytes, offset, length, "log record")) {
            r.startObject("(root)");
            String first = r.nextField("(root)");
            if (!"type".equals(first)) {
                throw r.corrupt("(root)", "must start with field 'type'");
            }
            String type = r.text("type");
            long revision = -1;
            Instant at = null;
            List<StoredMessage> messages = null;
            long through = -1;
            String context = null;
            long contextTokens = -1;
            for (String f; (f = r.nextField("(root)")) != null; ) {
                switch (f) {
                    case "revision" -> revision = r.number(f, 1);
                    case "at" -> at = r.instant(f);
                    case "messages" -> {
                        if (!type.equals("append")) {
                            throw r.unknown(type, f);
                        }
                        messages = readMessages(r, "messages");
                    }
                    case "through_round", "compressed_context", "context_tokens" -> {
                        if (!type.equals("compaction")) {
                            throw r.unknown(type, f);
                        }
                        switch (f) {
                            case "through_round" -> through = r.number(f, 1);
                            case "compressed_context" -> context = r.text(f);
                            default -> contextTokens = r.number(f, 0);
                        }
                    }
                    default -> throw r.unknown(type, f);
                }
            }
            r.end();
            require(r, type, "revision", revision >= 0);
            require(r, type, "at", at != null);
            LogRecord record;
            try {
                record = switch (type) {
                    case "append" -> {
                        require(r, type, "messages", messages != null);
                        yield new LogRecord.Append(revision, at, messages);
                    }
                    case "compaction" -> {
                        require(r, type, "through_round", through >= 0);
                        require(r, type, "compressed_context", context != null);
                        require(r, type, "context_tokens", contextTokens >= 0);
                        yield new LogRecord.Compaction(revision, at, through, context,
                                contextTokens);
                    }
                    case "compaction_failure" -> new LogRecord.CompactionFailure(revision, at);
                    default -> throw r.corrupt("type", "unknown record type '" + type + "'");
                };
            } catch (PalimpsestException e) {
                throw asCorrupt(r, type, e);
            }
            return record;
        }
    }

    // ---- checkpoints

    /**
     * {@return the bytes of a checkpoint: pretty-printed JSON of schema version 2}
     *
     * @param checkpoint the checkpoint
     */
    public static byte[] encodeCheckpoint(Checkpoint checkpoint) {
        return write(true, g -> writeState(g, checkpoint.state(), checkpoint));
    }

    /**
     * {@return the current state of a conversation as pretty-printed JSON}: the fields of a
     * checkpoint without its log position (which only the file store has), as the launcher's
     * {@code show --json} prints it
     *
     * @param state the state
     */
    public static byte[] encodeState(ConversationState state) {
        return write(true, g -> writeState(g, state, null));
    }

    /**
     * Writes the bytes {@link #encodeState} gives to {@code out}, as they are made: printing a
     * 4 MB window holds no copy of its JSON. {@code out} is flushed, not closed.
     *
     * @param state the state
     * @param out   where to write
     * @throws IOException if {@code out} fails
     */
    public static void writeState(ConversationState state, java.io.OutputStream out)
            throws IOException {
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            pretty(g);
            writeState(g, state, null);
        }
        out.write('\n');
        out.flush();
    }

    /**
     * {@return the JSON of a round: {@code {"seq": N, "messages": [...]}}, as a checkpoint's
     * {@code recent_rounds} holds it}
     *
     * @param round  the round
     * @param pretty whether to pretty-print it
     */
    public static byte[] encodeRound(Round round, boolean pretty) {
        return write(pretty, g -> writeRound(g, round));
    }

    /** Writes a state; with the checkpoint's log position when {@code at} is given. */
    private static void writeState(JsonGenerator g, ConversationState s, Checkpoint at)
            throws IOException {
        g.writeStartObject();
        g.writeNumberField("schema_version", SCHEMA_VERSION);
        g.writeStringField("conv_id", s.convId());
        g.writeNumberField("revision", s.revision());
        g.writeStringField("updated_at", s.updatedAt().toString());
        Counters c = s.counters();
        g.writeObjectFieldStart("counters");
        g.writeNumberField("rounds_total", c.roundsTotal());
        g.writeNumberField("messages_total", c.messagesTotal());
        g.writeNumberField("compactions", c.compactions());
        g.writeNumberField("compacted_rounds", c.compactedRounds());
        g.writeNumberField("compacted_messages", c.compactedMessages());
        g.writeNumberField("compaction_failures", c.compactionFailures());
        g.writeNumberField("context_tokens", c.contextTokens());
        g.writeNumberField("recent_tokens", c.recentTokens());
        if (c.lastCompactedAt().isPresent()) {
            g.writeStringField("last_compacted_at", c.lastCompactedAt().get().toString());
        }
        g.writeEndObject();
        if (at != null) {
            g.writeObjectFieldStart("log");
            g.writeNumberField("segment", at.logSegment());
            g.writeNumberField("offset", at.logOffset());
            g.writeEndObject();
        }
        if (s.pinnedSystem().isPresent()) {
            g.writeFieldName("pinned_system");
            writeMessage(g, s.pinnedSystem().get());
        }
        g.writeStringField("compressed_context", s.compressedContext());
        g.writeArrayFieldStart("recent_rounds");
        for (Round round : s.recentRounds()) {
            writeRound(g, round);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static void writeRound(JsonGenerator g, Round round) throws IOException {
        g.writeStartObject();
        g.writeNumberField("seq", round.seq());
        g.writeArrayFieldStart("messages");
        for (StoredMessage m : round.messages()) {
            writeMessage(g, m);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * {@return the schema version a state file declares, read from its first field}
     * A reader that finds a version above {@link #SCHEMA_VERSION} must refuse the file.
     *
     * @param bytes the file's bytes
     * @throws PalimpsestException of kind {@code CORRUPT} if it declares none
     */
    public static int schemaVersion(byte[] bytes) {
        try (StrictReader r = reader(bytes, 0, bytes.length, "state file")) {
            r.startObject("(root)");
            String f = r.nextField("(root)");
            if (!"schema_version".equals(f)) {
                throw r.corrupt("(root)", "must start with field 'schema_version'");
            }
            long v = r.number("schema_version", 1);
            return (int) Math.min(Integer.MAX_VALUE, v);
        }
    }

    /**
     * {@return the checkpoint a state file of schema version 2 holds}
     *
     * @param bytes the file's bytes
     * @throws PalimpsestException of kind {@code CORRUPT} naming what is wrong, including a
     *         schema version other than 2
     */
    public static Checkpoint decodeCheckpoint(byte[] bytes) {
        return decodeCheckpoint(reader(bytes, 0, bytes.length, "checkpoint"));
    }

    /**
     * {@return the checkpoint a state file of schema version 2 holds, read as it streams in}: a
     * 4 MB checkpoint is not held as bytes besides the state made from it
     *
     * @param in the file's bytes; not closed
     * @throws PalimpsestException of kind {@code CORRUPT} naming what is wrong, including a
     *         schema version other than 2
     * @throws IOException if reading {@code in} fails
     */
    public static Checkpoint decodeCheckpoint(java.io.InputStream in) throws IOException {
        com.fasterxml.jackson.core.JsonParser parser = FACTORY.createParser(in);
        parser.disable(com.fasterxml.jackson.core.JsonParser.Feature.AUTO_CLOSE_SOURCE);
        try {
            return decodeCheckpoint(new StrictReader(parser, "checkpoint"));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Checkpoint decodeCheckpoint(StrictReader reader) {
        try (StrictReader r = reader) {
            r.startObject("(root)");
            if (!"schema_version".equals(r.nextField("(root)"))) {
                throw r.corrupt("(root)", "must start with field 'schema_version'");
            }
            long version = r.number("schema_version", 1);
            if (version != SCHEMA_VERSION) {
                throw r.corrupt("schema_version", version > SCHEMA_VERSION
                        ? "version " + version + " is newer than this reader's ("
                                + SCHEMA_VERSION + "); upgrade Palimpsest"
                        : "version " + version + " is not a checkpoint");
            }
            HeadFields h = new HeadFields();
            StoredMessage pinned = null;
            String context = null;
            List<Round> rounds = null;
            for (String f; (f = r.nextField("(root)")) != null; ) {
                if (h.read(r, f)) {
                    continue;
                }
                switch (f) {
                    case "pinned_system" -> {
                        r.startObject(f);
                        pinned = readMessageFields(r, f);
                    }
                    case "compressed_context" -> context = r.text(f);
                    case "recent_rounds" -> rounds = readRounds(r);
                    default -> throw r.unknown("(root)", f);
                }
            }
            r.end();
            String w = "(root)";
            require(r, w, "conv_id", h.convId != null);
            require(r, w, "revision", h.revision >= 0);
            require(r, w, "updated_at", h.updatedAt != null);
            require(r, w, "counters", h.counters != null);
            require(r, "log", "segment", h.segment >= 0);
            require(r, "log", "offset", h.offset >= 0);
            require(r, w, "compressed_context", context != null);
            require(r, w, "recent_rounds", rounds != null);
            try {
                return new Checkpoint(new ConversationState(h.convId, h.revision, h.updatedAt,
                        Optional.ofNullable(pinned), context, rounds, h.counters), h.segment,
                        h.offset);
            } catch (PalimpsestException e) {
                throw asCorrupt(r, w, e);
            }
        }
    }

    /**
     * {@return the head of a checkpoint of schema version 2, read from the start of its file}: the
     * fields before the window, which this codec writes first; empty when {@code prefix} ends
     * before them or they are not as {@link #encodeCheckpoint} writes them (a reader then reads
     * the whole checkpoint, which decides)
     *
     * @param prefix the file's first bytes, or all of them
     * @param length how many of {@code prefix} to read
     */
    public static Optional<CheckpointHead> decodeCheckpointHead(byte[] prefix, int length) {
        try (StrictReader r = reader(prefix, 0, length, "checkpoint")) {
            r.startObject("(root)");
            if (!"schema_version".equals(r.nextField("(root)"))
                    || r.number("schema_version", 1) != SCHEMA_VERSION) {
                return Optional.empty();
            }
            HeadFields h = new HeadFields();
            for (String f; (f = r.nextField("(root)")) != null; ) {
                if (!h.read(r, f)) {
                    // The window begins: the head is complete or the file is not ours.
                    if (h.convId == null || h.revision < 0 || h.updatedAt == null
                            || h.counters == null || h.segment < 1 || h.offset < 0) {
                        return Optional.empty();
                    }
                    return Optional.of(new CheckpointHead(h.convId, h.revision, h.updatedAt,
                            h.counters, h.segment, h.offset));
                }
            }
            return Optional.empty();
        } catch (PalimpsestException | UncheckedIOException e) {
            // Cut short by the prefix's end, or damaged: the whole file decides.
            return Optional.empty();
        }
    }

    /** The head fields of a checkpoint, as they are read; -1 and null until they are. */
    private static final class HeadFields {
        String convId;
        long revision = -1;
        Instant updatedAt;
        Counters counters;
        long segment = -1;
        long offset = -1;

        /** Reads field {@code f} if it is one of the head's; {@return whether it was} */
        boolean read(StrictReader r, String f) {
            switch (f) {
                case "conv_id" -> convId = r.text(f);
                case "revision" -> revision = r.number(f, 0);
                case "updated_at" -> updatedAt = r.instant(f);
                case "counters" -> counters = readCounters(r);
                case "log" -> {
                    r.startObject(f);
                    for (String g; (g = r.nextField(f)) != null; ) {
                        switch (g) {
                            case "segment" -> segment = r.number("log.segment", 1);
                            case "offset" -> offset = r.number("log.offset", 0);
                            default -> throw r.unknown("log", g);
                        }
                    }
                }
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    // ---- messages

    /**
     * {@return the JSON of a stored message, as the log and the checkpoint hold it}
     *
     * @param message the message
     * @param pretty  whether to pretty-print it
     */
    public static byte[] encodeMessage(StoredMessage message, boolean pretty) {
        return write(pretty, g -> writeMessage(g, message));
    }

    /**
     * {@return the stored message that {@link #encodeMessage} wrote as {@code json}}, read as
     * strictly as a log record's messages
     *
     * @param json the JSON of one stored message
     * @throws PalimpsestException of kind {@code CORRUPT} naming what is wrong
     */
    public static StoredMessage decodeMessage(String json) {
        StrictReader reader;
        try {
            reader = new StrictReader(FACTORY.createParser(json), "message");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (StrictReader r = reader) {
            r.startObject("(root)");
            StoredMessage message = readMessageFields(r, "(root)");
            r.end();
            return message;
        }
    }

    static void writeMessage(JsonGenerator g, StoredMessage s) throws IOException {
        Message m = s.message();
        g.writeStartObject();
        g.writeNumberField("seq", s.seq());
        g.writeNumberField("round", s.roundSeq());
        g.writeStringField("created_at", s.createdAt().toString());
        g.writeNumberField("tokens", s.tokens());
        if (m.id().isPresent()) {
            g.writeStringField("id", m.id().get());
        }
        g.writeStringField("role", m.role().wireName());
        g.writeStringField("content", m.content());
        if (!m.toolCalls().isEmpty()) {
            g.writeArrayFieldStart("tool_calls");
            for (ToolCall c : m.toolCalls()) {
                g.writeStartObject();
                g.writeStringField("id", c.id());
                g.writeStringField("name", c.name());
                g.writeStringField("arguments", c.arguments());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        if (m.toolCallId().isPresent()) {
            g.writeStringField("tool_call_id", m.toolCallId().get());
            g.writeStringField("tool_name", m.toolName().orElseThrow());
        }
        if (!m.metadata().isEmpty()) {
            g.writeObjectFieldStart("metadata");
            for (Map.Entry<String, String> e : m.metadata().entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static List<StoredMessage> readMessages(StrictReader r, String path) {
        r.startArray(path);
        List<StoredMessage> out = new ArrayList<>();
        while (r.nextElement(path)) {
            String p = path + "[" + out.size() + "]";
            r.currentIsObject(p);
            out.add(readMessageFields(r, p));
        }
        return out;
    }

    /** Reads the fields of a message object whose start was consumed. */
    private static StoredMessage readMessageFields(StrictReader r, String path) {
        long seq = -1;
        long round = -1;
        Instant createdAt = null;
        long tokens = -1;
        String id = null;
        Role role = null;
        String content = null;
        List<ToolCall> calls = List.of();
        String callId = null;
        String toolName = null;
        Map<String, String> metadata = Map.of();
        for (String f; (f = r.nextField(path)) != null; ) {
            String p = path + "." + f;
            switch (f) {
                case "seq" -> seq = r.number(p, 1);
                case "round" -> round = r.number(p, 1);
                case "created_at" -> createdAt = r.instant(p);
                case "tokens" -> tokens = r.number(p, 0);
                case "id" -> id = r.text(p);
                case "role" -> {
                    String name = r.text(p);
                    try {
                        role = Role.ofWireName(name);
                    } catch (PalimpsestException e) {
                        throw r.corrupt(p, e.getMessage());
                    }
                }
                case "content" -> content = r.text(p);
                case "tool_calls" -> calls = readToolCalls(r, p);
                case "tool_call_id" -> callId = r.text(p);
                case "tool_name" -> toolName = r.text(p);
                case "metadata" -> {
                    r.startObject(p);
                    Map<String, String> md = new LinkedHashMap<>();
                    for (String k; (k = r.nextField(p)) != null; ) {
                        md.put(k, r.text(p + "." + k));
                    }
                    metadata = md;
                }
                default -> throw r.unknown(path, f);
            }
        }
        require(r, path, "seq", seq >= 0);
        require(r, path, "round", round >= 0);
        require(r, path, "created_at", createdAt != null);
        require(r, path, "tokens", tokens >= 0);
        require(r, path, "role", role != null);
        require(r, path, "content", content != null);
        try {
            Message m = new Message(role, content, calls, Optional.ofNullable(callId),
                    Optional.ofNullable(toolName), Optional.ofNullable(id), metadata);
            return new StoredMessage(seq, round, createdAt, tokens, m);
        } catch (PalimpsestException e) {
            throw asCorrupt(r, path, e);
        }
    }

    private static List<ToolCall> readToolCalls(StrictReader r, String path) {
        r.startArray(path);
        List<ToolCall> out = new ArrayList<>();
        while (r.nextElement(path)) {
            String p = path + "[" + out.size() + "]";
            r.currentIsObject(p);
            String id = null;
            String name = null;
            String args = null;
            for (String f; (f = r.nextField(p)) != null; ) {
                switch (f) {
                    case "id" -> id = r.text(p + ".id");
                    case "name" -> name = r.text(p + ".name");
                    case "arguments" -> args = r.text(p + ".arguments");
                    default -> throw r.unknown(p, f);
                }
            }
            require(r, p, "id", id != null);
            require(r, p, "name", name != null);
            require(r, p, "arguments", args != null);
            try {
                out.add(new ToolCall(id, name, args));
            } catch (PalimpsestException e) {
                throw asCorrupt(r, p, e);
            }
        }
        return out;
    }

    private static Counters readCounters(StrictReader r) {
        String path = "counters";
        r.startObject(path);
        long[] v = {-1, -1, -1, -1, -1, -1, -1, -1};
        String[] names = {"rounds_total", "messages_total", "compactions", "compacted_rounds",
            "compacted_messages", "compaction_failures", "context_tokens", "recent_tokens"};
        Instant last = null;
        for (String f; (f = r.nextField(path)) != null; ) {
            if (f.equals("last_compacted_at")) {
                last = r.instant(path + "." + f);
                continue;
            }
            int i = List.of(names).indexOf(f);
            if (i < 0) {
                throw r.unknown(path, f);
            }
            v[i] = r.number(path + "." + f, 0);
        }
        for (int i = 0; i < names.length; i++) {
            require(r, path, names[i], v[i] >= 0);
        }
        try {
            return new Counters(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7],
                    Optional.ofNullable(last));
        } catch (PalimpsestException e) {
            throw asCorrupt(r, path, e);
        }
    }

    private static List<Round> readRounds(StrictReader r) {
        String path = "recent_rounds";
        r.startArray(path);
        List<Round> out = new ArrayList<>();
        while (r.nextElement(path)) {
            String p = path + "[" + out.size() + "]";
            r.currentIsObject(p);
            long seq = -1;
            List<StoredMessage> messages = null;
            for (String f; (f = r.nextField(p)) != null; ) {
                switch (f) {
                    case "seq" -> seq = r.number(p + ".seq", 1);
                    case "messages" -> messages = readMessages(r, p + ".messages");
                    default -> throw r.unknown(p, f);
                }
            }
            require(r, p, "seq", seq >= 0);
            require(r, p, "messages", messages != null);
            try {
                out.add(new Round(seq, messages));
            } catch (PalimpsestException e) {
                throw asCorrupt(r, p, e);
            }
        }
        return out;
    }

    // ---- plumbing

    private static void require(StrictReader r, String path, String field, boolean present) {
        if (!present) {
            throw r.missing(path, field);
        }
    }

    private static PalimpsestException asCorrupt(StrictReader r, String path,
                                                 PalimpsestException e) {
        if (e.kind() == FailureKind.CORRUPT) {
            return e;
        }
        return r.corrupt(path, e.getMessage());
    }

    static StrictReader reader(byte[] bytes, int offset, int length, String what) {
        try {
            return new StrictReader(FACTORY.createParser(bytes, offset, length), what);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FunctionalInterface
    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static void pretty(JsonGenerator g) {
        g.setPrettyPrinter(new DefaultPrettyPrinter()
                .withObjectIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"))
                .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n")));
    }

    private static byte[] write(boolean pretty, Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            if (pretty) {
                pretty(g);
            }
            body.write(g);
        } catch (IOException e) {
            // Only a ByteArrayOutputStream is written to: nothing can fail but a bug.
            throw new UncheckedIOException(e);
        }
        if (pretty) {
            out.write('\n');
        }
        return out.toByteArray();
    }
}
