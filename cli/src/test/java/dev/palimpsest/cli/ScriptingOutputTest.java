package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.palimpsest.model.Counters;
import dev.palimpsest.store.ConversationSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Output for scripts and for eyes: {@code append --json}, and a {@code list} table that aligns. */
class ScriptingOutputTest {
    @TempDir
    Path root;

    /** The top-level string and number fields of a JSON object. */
    static Map<String, String> fields(String json) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            assertEquals(JsonToken.START_OBJECT, parser.nextToken());
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value.isStructStart()) {
                    parser.skipChildren();
                } else {
                    fields.put(name, parser.getText());
                }
            }
        }
        return fields;
    }

    @Test
    void appendJsonAcknowledgesWithIdSeqAndTime() throws IOException {
        LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(0);
        String out = LauncherRun.inRoot(root, "append", "--json", "--user", "v", "c").expect(0)
                .out();
        Map<String, String> ack = fields(out);
        assertEquals("c", ack.get("conv_id"));
        assertEquals("2", ack.get("seq"));
        assertEquals("3", ack.get("first_message_seq"));
        assertEquals("4", ack.get("last_message_seq"));
        assertEquals("0", ack.get("already_stored"));
        Instant.parse(ack.get("created_at"));
        assertTrue(out.endsWith("}\n"), out);
    }

    @Test
    void checkJsonReportsEachFindingAndKeepsTheExitCode() throws IOException {
        java.nio.file.Files.writeString(root.resolve("config.json"),
                "{\"checkpoint_every_records\": 1}");
        LauncherRun.inRoot(root, "append", "--user", "u", "good").expect(0);
        LauncherRun.inRoot(root, "append", "--user", "u", "bad").expect(0);
        java.nio.file.Files.writeString(root.resolve("sm/conversation-bad.json"), "{oops");
        LauncherRun run = LauncherRun.inRoot(root, "check", "--json").expect(4);
        Map<String, String> report = fields(run.out());
        assertEquals(root.toString(), report.get("root"));
        assertEquals("2", report.get("conversations"));
        assertEquals("false", report.get("clean"));
        assertEquals("false", report.get("repaired"));
        assertTrue(run.out().contains("\"problem\" : \"unreadable_checkpoint\""), run.out());
        assertTrue(run.out().contains("\"conv_id\" : \"bad\""), run.out());
        assertTrue(run.out().contains("\"repaired\" : false"), run.out());
        assertTrue(run.out().contains("conversation-bad.json"), run.out());
        LauncherRun repaired = LauncherRun.inRoot(root, "check", "--json", "--repair").expect(0);
        assertEquals("true", fields(repaired.out()).get("repaired"), repaired.out());
        assertEquals("true", fields(LauncherRun.inRoot(root, "check", "--json").expect(0).out())
                .get("clean"));
    }

    @Test
    void theListTableAlignsWhateverTheTimestampsPrecision() {
        Instant base = Instant.parse("2026-12-03T12:50:50Z");
        List<ConversationSummary> summaries = List.of(
                new ConversationSummary("a", 1, base, Counters.ZERO),
                new ConversationSummary("bb", 22, base.plusMillis(421), Counters.ZERO),
                new ConversationSummary("ccc", 333, base.plusNanos(421_435_883), Counters.ZERO));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ListCommand.printTable(new PrintStream(bytes, true, StandardCharsets.UTF_8), summaries);
        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(4, lines.size());
        int idColumn = lines.get(0).indexOf("ID");
        assertEquals(List.of("ID", "a", "bb", "ccc"),
                lines.stream().map(l -> l.substring(idColumn)).toList(), String.join("\n", lines));
        int timeColumn = lines.get(0).indexOf("UPDATED_AT");
        assertTrue(lines.get(3).substring(timeColumn).startsWith("2026-12-03T12:50:50.421435883Z"),
                lines.get(3));
    }
}
