package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Role;
import dev.palimpsest.model.StoredMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code palimpsest import}: JSON Lines of messages and rounds, idempotent on a re-run. */
class ImportCommandTest {
    @TempDir
    Path root;

    private static final String LINES = String.join("\n",
            "{\"role\": \"system\", \"content\": \"Be brief.\"}",
            "{\"role\": \"user\", \"content\": \"Weather?\"}",
            "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"c1\","
                    + " \"type\": \"function\", \"function\": {\"name\": \"w\", \"arguments\":"
                    + " \"{}\"}}]}",
            "{\"role\": \"tool\", \"tool_call_id\": \"c1\", \"name\": \"w\", \"content\": \"sun\"}",
            "",
            "{\"messages\": [{\"role\": \"user\", \"content\": \"u2\"}, {\"role\": \"assistant\","
                    + " \"content\": \"a2\", \"id\": \"mine\"}]}",
            "{\"user\": \"u3\", \"assistant\": \"a3\", \"metadata\": {\"k\": \"v\"}}") + "\n";

    @Test
    void messagesAndRoundsLoadInOrderAndARerunAppendsNothing() throws IOException {
        Path file = root.resolve("chat.jsonl");
        Files.writeString(file, LINES, StandardCharsets.UTF_8);
        String out = LauncherRun.inRoot(root, "import", "c", file.toString()).expect(0).out();
        assertTrue(out.contains("6 lines") && out.contains("8 messages appended")
                && out.contains("0 already stored") && out.contains("rounds 1-3"), out);
        List<StoredMessage> messages = Stored.messages(root, "c");
        assertEquals(List.of(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL, Role.USER,
                Role.ASSISTANT, Role.USER, Role.ASSISTANT),
                messages.stream().map(StoredMessage::role).toList());
        assertTrue(messages.get(0).message().id().orElseThrow().startsWith("import:"));
        assertTrue(messages.get(4).message().id().orElseThrow().endsWith(":6.1"),
                messages.get(4).message().id().orElseThrow());
        assertEquals("mine", messages.get(5).message().id().orElseThrow());
        assertEquals(Map.of("k", "v"), messages.get(6).message().metadata());
        assertEquals(3, Stored.state(root, "c").counters().roundsTotal());

        String again = LauncherRun.with(Map.of(), LINES, "--root", root.toString(), "import",
                "c", "-").expect(0).out();
        assertTrue(again.contains("0 messages appended") && again.contains("8 already stored"),
                again);
        assertEquals(8, Stored.messages(root, "c").size(), "a re-run appends nothing twice");
    }

    @Test
    void aBadLineIsAUsageErrorNamingItsLineAndKeepsWhatWasStored() throws IOException {
        Path file = root.resolve("bad.jsonl");
        Files.writeString(file, "{\"role\": \"user\", \"content\": \"ok\"}\n{\"role\": 3}\n");
        String error = LauncherRun.inRoot(root, "import", "c", file.toString()).expect(2)
                .oneErrorLine();
        assertTrue(error.contains("line 2"), error);
        LauncherRun.inRoot(root, "import", "c", root.resolve("absent").toString()).expect(2);
        Files.write(root.resolve("latin1.jsonl"), new byte[] {'{', (byte) 0xE9, '}', '\n'});
        assertTrue(LauncherRun.inRoot(root, "import", "c", root.resolve("latin1.jsonl")
                .toString()).expect(2).oneErrorLine().contains("not valid UTF-8"));
    }
}
