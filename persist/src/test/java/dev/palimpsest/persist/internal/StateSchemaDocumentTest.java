package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema ({@code docs/schema/state-v1.schema.json}) names exactly the fields
 * the writer writes, in the writer's order, and its instant pattern matches what it writes.
 */
class StateSchemaDocumentTest {
    private static final JsonFactory JSON = new JsonFactory();

    /** Parses JSON into maps (keeping key order), lists, strings, numbers and null. */
    private static Object parse(byte[] json) throws IOException {
        try (JsonParser p = JSON.createParser(json)) {
            p.nextToken();
            return value(p);
        }
    }

    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    p.nextToken();
                    map.put(name, value(p));
                }
                return map;
            }
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p));
                }
                return list;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> {
                return p.getText();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object value, String... path) {
        Object v = value;
        for (String key : path) {
            v = v instanceof List<?> l ? l.get(Integer.parseInt(key))
                    : ((Map<String, Object>) v).get(key);
        }
        return (Map<String, Object>) v;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value, String... path) {
        Object v = value;
        for (String key : path) {
            v = ((Map<String, Object>) v).get(key);
        }
        return (List<Object>) v;
    }

    @Test
    void theSchemaNamesTheFieldsTheWriterWritesInItsOrder() throws IOException {
        Path file = Path.of(System.getProperty("user.dir")).resolveSibling("docs")
                .resolve("schema/state-v1.schema.json");
        Object schema = parse(Files.readAllBytes(file));
        Instant t = Instant.parse("2026-11-25T10:15:30.120Z");
        Conversation c = Conversation.empty("s").withRoundAppended(
                new Round(1, "u", "a", t, Map.of("k", "v")), t).withRevision(1);
        Object written = parse(new StateFileCodec(1 << 20).encodeState(c));

        List<String> top = List.copyOf(object(written).keySet());
        assertEquals(top, List.copyOf(object(schema, "properties").keySet()));
        assertEquals(top, list(schema, "required"));
        assertEquals(List.copyOf(object(written, "counters").keySet()),
                List.copyOf(object(schema, "$defs", "counters", "properties").keySet()));
        List<String> round = List.copyOf(object(written, "recent_rounds", "0").keySet());
        assertEquals(round,
                List.copyOf(object(schema, "$defs", "round", "properties").keySet()));
        assertEquals(round, list(object(schema, "$defs"), "round", "required"));
        Pattern instant = Pattern.compile(
                (String) object(schema, "$defs", "instant").get("pattern"));
        for (Instant i : List.of(t, Instant.EPOCH, Instant.MAX, Instant.MIN,
                Instant.ofEpochSecond(1, 1))) {
            assertTrue(instant.matcher(i.toString()).matches(), i.toString());
        }
    }
}
