package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.persist.ConversationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code compact}, {@code delete}, {@code list} and {@code check}. */
class WriteCommandsTest {
    @TempDir
    Path root;

    private void append(String convId, int rounds) {
        for (int i = 1; i <= rounds; i++) {
            LauncherRun.inRoot(root, "append", "--user", "u" + i, "--assistant", "a" + i, convId)
                    .expect(0);
        }
    }

    private long compacted(String convId) {
        try (ConversationStore store = ConversationStore.open(root)) {
            return store.load(convId).counters().compactedRounds();
        }
    }

    @Test
    void compactFoldsAllButKeepRounds() {
        append("c", 5);
        assertTrue(LauncherRun.inRoot(root, "compact", "--keep-rounds", "2", "c").expect(0)
                .out().startsWith("compacted: 3 rounds"));
        assertEquals(3, compacted("c"));
        assertTrue(LauncherRun.inRoot(root, "compact", "--keep-rounds", "2", "c").expect(0)
                .out().startsWith("nothing to compact"));
    }

    @Test
    void compactExitsSevenWhenTheSummarizerFails() throws IOException {
        append("c", 3);
        try (LoopbackHttpServer server = new LoopbackHttpServer(401, "Unauthorized")) {
            String line = LauncherRun.with(Map.of(), "", "--root", root.toString(), "compact",
                    "--keep-rounds", "1", "--summarizer", "openai", "--model", "m",
                    "--openai-url", server.baseUrl().toString(), "c").expect(7).oneErrorLine();
            assertTrue(line.contains("'c'"), line);
        }
        assertEquals(0, compacted("c"), "the rounds stay verbatim");
    }

    @Test
    void deleteRemovesTheConversationAndItsArchive() {
        append("c", 3);
        LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "c").expect(0);
        assertEquals("deleted 'c'\n", LauncherRun.inRoot(root, "delete", "c").expect(0).out());
        LauncherRun.inRoot(root, "show", "c").expect(3);
        LauncherRun.inRoot(root, "delete", "c").expect(3);
        assertEquals("1\n", LauncherRun.inRoot(root, "append", "--user", "again", "c")
                .expect(0).out(), "a deleted id starts empty again");
    }

    @Test
    void listPrintsEveryConversationAsTextOrJson() {
        assertTrue(LauncherRun.inRoot(root, "list").expect(0).out().startsWith("no conversations"));
        assertEquals("[ ]\n", LauncherRun.inRoot(root, "list", "--json").expect(0).out());
        append("b", 2);
        append("a", 1);
        String text = LauncherRun.inRoot(root, "list").expect(0).out();
        assertTrue(text.indexOf(" a\n") < text.indexOf(" b\n"), text);
        String json = LauncherRun.inRoot(root, "list", "--json").expect(0).out();
        assertTrue(json.contains("\"conv_id\" : \"a\""), json);
        assertTrue(json.contains("\"rounds_total\" : 2"), json);
        assertTrue(json.contains("\"last_compacted_at\" : null"), json);
        assertTrue(json.contains("\"updated_at\""), json);
    }

    @Test
    void checkFindsAndRepairsUnreadableState() throws IOException {
        append("good", 1);
        append("bad", 1);
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out().contains("clean"));
        Path bad;
        try (ConversationStore store = ConversationStore.open(root)) {
            bad = store.stateFile("bad");
        }
        Files.writeString(bad, "not json");
        String found = LauncherRun.inRoot(root, "check").expect(4).out();
        assertTrue(found.contains("unreadable state") && found.contains(bad.toString()), found);
        String repaired = LauncherRun.inRoot(root, "check", "--repair").expect(0).out();
        assertTrue(repaired.contains("quarantined"), repaired);
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out().contains("clean"));
        LauncherRun.inRoot(root, "show", "good").expect(0);
    }
}
