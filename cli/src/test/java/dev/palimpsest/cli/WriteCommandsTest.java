package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.store.file.FileConversationStore;
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
        return Stored.state(root, convId).counters().compactedRounds();
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
    void theSummaryBudgetComesFromTheFlagOrConfigJson() throws IOException {
        for (int i = 1; i <= 12; i++) {
            LauncherRun.inRoot(root, "append", "--user", "ticket INC-" + (4000 + i)
                    + " is assigned to Dana Okafor with priority P" + i, "--assistant",
                    "Logged ticket INC-" + (4000 + i) + " for Dana Okafor.", "c").expect(0);
        }
        LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "--summary-budget", "250",
                "c").expect(0);
        String context = Stored.state(root, "c").compressedContext();
        assertTrue(context.length() <= 250 && context.contains("INC-4011"), context);
        LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "--summary-budget", "199",
                "c").expect(2);
        Files.writeString(root.resolve("config.json"), "{\"summary_budget\": 120}");
        assertTrue(LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "c").expect(2)
                .oneErrorLine().contains("'summary_budget' must be at least 200"));
        Files.writeString(root.resolve("config.json"), "{\"summary_budget\": 400}");
        LauncherRun.inRoot(root, "append", "--user", "the pager number is 55-0192", "c")
                .expect(0);
        LauncherRun.inRoot(root, "append", "--user", "ok", "c").expect(0);
        LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "c").expect(0);
        context = Stored.state(root, "c").compressedContext();
        assertTrue(context.length() <= 400 && context.length() > 250
                && context.contains("55-0192"), context);
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
    void deleteErasesEveryFileOfTheConversation() throws IOException {
        append("c", 3);
        append("other", 1);
        LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "c").expect(0);
        assertEquals("deleted 'c'\n", LauncherRun.inRoot(root, "delete", "c").expect(0).out());
        try (var files = Files.list(root.resolve("sm"))) {
            // The lock file may stay (another process may be waiting on it); it holds no text,
            // only the conversation's incarnation: 8 random bytes (the claim and the head are
            // zeroed; it is never cut short, since another process may have it mapped).
            assertEquals(java.util.List.of(), files.map(f -> f.getFileName().toString())
                    .filter(name -> name.startsWith("conversation-c."))
                    .filter(name -> !name.equals("conversation-c.lock")).toList());
        }
        Path lock = root.resolve("sm/conversation-c.lock");
        if (Files.exists(lock)) {
            byte[] bytes = Files.readAllBytes(lock);
            for (int i = Long.BYTES; i < bytes.length; i++) {
                assertEquals(0, bytes[i], "a lock file holds no text, nor counters: byte " + i);
            }
        }
        LauncherRun.inRoot(root, "show", "other").expect(0);
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
    void checkRebuildsAnUnreadableCheckpointFromTheLog() throws IOException {
        // A checkpoint after every append, so there is one to damage.
        Files.writeString(root.resolve("config.json"), "{\"checkpoint_every_records\": 1}");
        append("good", 1);
        append("bad", 2);
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out().contains("clean"));
        Path bad;
        try (FileConversationStore store = FileConversationStore.open(root)) {
            bad = store.checkpointFile("bad");
        }
        Files.writeString(bad, "not json");
        String found = LauncherRun.inRoot(root, "check").expect(4).out();
        assertTrue(found.contains("unreadable checkpoint") && found.contains(bad.toString()),
                found);
        String repaired = LauncherRun.inRoot(root, "check", "--repair").expect(0).out();
        assertTrue(repaired.contains("-> repaired"), repaired);
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out().contains("clean"));
        assertEquals(2, Stored.rounds(root, "bad").size(), "the log keeps every round");
        LauncherRun.inRoot(root, "show", "good").expect(0);
    }

    @Test
    void checkQuarantinesADamagedLogWithEveryFileOfItsConversation() {
        append("good", 1);
        append("dmg", 3);
        Stored.damageLog(root, "dmg", "u1");
        LauncherRun.inRoot(root, "show", "dmg").expect(4);
        String found = LauncherRun.inRoot(root, "check").expect(4).out();
        assertTrue(found.contains("damaged log"), found);
        LauncherRun.inRoot(root, "check", "--repair").expect(0);
        LauncherRun.inRoot(root, "show", "dmg").expect(3);
        assertEquals("1\n", LauncherRun.inRoot(root, "append", "--user", "new", "dmg").expect(0)
                .out(), "the id starts again at seq 1");
        String transcript = LauncherRun.inRoot(root, "transcript", "dmg").expect(0).out();
        assertTrue(transcript.contains("user: new") && !transcript.contains("u2"), transcript);
        LauncherRun.inRoot(root, "show", "good").expect(0);
    }

    @Test
    void checkOfARootThatDoesNotExistExitsThree() {
        assertTrue(LauncherRun.inRoot(root.resolve("absent"), "check").expect(3).oneErrorLine()
                .contains("does not exist"));
    }
}
