package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The published JSON Schema ({@code docs/schema/state-v1.schema.json}) names exactly the fields
 * the writer writes, in the writer's order, and its instant pattern matches what it writes.
 */
class StateSchemaDocumentTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode schema() throws IOException {
        Path file = Path.of(System.getProperty("user.dir")).resolveSibling("docs")
                .resolve("schema/state-v1.schema.json");
        return JSON.readTree(Files.readString(file));
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void theSchemaNamesTheFieldsTheWriterWritesInItsOrder() throws IOException {
        JsonNode schema = schema();
        Instant t = Instant.parse("2026-11-25T10:15:30.120Z");
        Conversation c = Conversation.empty("s").withRoundAppended(
                new Round(1, "u", "a", t, Map.of("k", "v")), t).withRevision(1);
        JsonNode written = JSON.readTree(new StateFileCodec(1 << 20).encodeState(c));
        assertEquals(names(written), names(schema.get("properties")));
        assertEquals(names(written), textValues(schema.get("required")));
        JsonNode counters = schema.get("$defs").get("counters");
        assertEquals(names(written.get("counters")), names(counters.get("properties")));
        JsonNode round = schema.get("$defs").get("round");
        assertEquals(names(written.get("recent_rounds").get(0)), names(round.get("properties")));
        assertEquals(names(written.get("recent_rounds").get(0)),
                textValues(round.get("required")));
        Pattern instant = Pattern.compile(schema.get("$defs").get("instant").get("pattern")
                .asText());
        for (Instant i : List.of(t, Instant.EPOCH, Instant.MAX, Instant.MIN,
                Instant.ofEpochSecond(1, 1))) {
            assertTrue(instant.matcher(i.toString()).matches(), i.toString());
        }
    }

    private static List<String> textValues(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }
}
