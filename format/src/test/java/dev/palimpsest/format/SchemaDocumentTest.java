package dev.palimpsest.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema ({@code docs/schema/checkpoint-v2.schema.json}) names exactly the
 * fields the writer writes, in the writer's order, for checkpoints, messages and each kind of log
 * record.
 */
class SchemaDocumentTest {
    private static final Path SCHEMA = Path.of("..", "docs", "schema",
            "checkpoint-v2.schema.json");
    private static final Instant T = Instant.parse("2026-12-01T00:00:00.123Z");

    private static Object parse(byte[] json) throws IOException {
        try (JsonParser p = new JsonFactory().createParser(json)) {
            p.nextToken();
            return value(p);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.START_OBJECT) {
            Map<String, Object> map = new LinkedHashMap<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                map.put(name, value(p));
            }
            return map;
        }
        if (p.currentToken() == JsonToken.START_ARRAY) {
            List<Object> list = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                list.add(value(p));
            }
            return list;
        }
        return p.getText();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> at(Object v, String... path) {
        for (String key : path) {
            v = v instanceof List<?> l ? l.get(Integer.parseInt(key))
                    : ((Map<String, Object>) v).get(key);
        }
        return (Map<String, Object>) v;
    }

    private static Set<String> keys(Map<String, Object> m) {
        return m.keySet();
    }

    @Test
    void theSchemaNamesExactlyWhatTheWriterWrites() throws IOException {
        Object schema = parse(Files.readAllBytes(SCHEMA));
        List<StoredMessage> firstRound = List.of(
                new StoredMessage(1, 1, T, 1, Message.system("s").withId("m1")),
                new StoredMessage(2, 1, T, 1, Message.user("u").withMetadata(Map.of("k", "v"))),
                new StoredMessage(3, 1, T, 1, Message.assistant("", List.of(
                        new ToolCall("c1", "t", "{}")))),
                new StoredMessage(4, 1, T, 1, Message.tool("c1", "t", "r")),
                new StoredMessage(5, 2, T, 1, Message.user("u2")));
        ConversationState s = ConversationState.empty("c").withAppended(firstRound, 1, T)
                .withCompaction(1, "ctx", 2, 2, T);
        Object written = parse(FormatCodec.encodeCheckpoint(new Checkpoint(s, 1, 77)));
        assertEquals(new ArrayList<>(keys(at(schema, "properties"))),
                new ArrayList<>(keys(at(written))));
        assertEquals(new ArrayList<>(keys(at(schema, "properties", "counters", "properties"))),
                new ArrayList<>(keys(at(written, "counters"))));
        assertEquals(new ArrayList<>(keys(at(schema, "properties", "log", "properties"))),
                new ArrayList<>(keys(at(written, "log"))));
        // Every field a message can have, in the writer's order, across the kinds of message.
        Set<String> messageFields = new LinkedHashSet<>();
        messageFields.addAll(keys(at(written, "pinned_system")));
        for (StoredMessage m : firstRound) {
            messageFields.addAll(keys(at(parse(FormatCodec.encodeMessage(m, false)))));
        }
        List<String> schemaMessage = new ArrayList<>(keys(at(schema, "$defs", "message",
                "properties")));
        List<String> ordered = new ArrayList<>(schemaMessage);
        ordered.retainAll(messageFields);
        assertEquals(schemaMessage, ordered, "every schema field is written");
        assertEquals(Set.copyOf(schemaMessage), Set.copyOf(messageFields));
        List<LogRecord> records = List.of(
                new LogRecord.Append(1, T, firstRound),
                new LogRecord.Compaction(2, T, 1, "ctx", 3),
                new LogRecord.CompactionFailure(3, T));
        for (int i = 0; i < records.size(); i++) {
            assertEquals(new ArrayList<>(keys(at(schema, "$defs", "logRecord", "oneOf",
                    String.valueOf(i), "properties"))),
                    new ArrayList<>(keys(at(parse(FormatCodec.encodeRecord(records.get(i)))))));
        }
    }
}
