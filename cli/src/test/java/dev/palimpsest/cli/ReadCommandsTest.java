package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code show}, {@code context} and {@code transcript}: what they print and how they fail. */
class ReadCommandsTest {
    @TempDir
    Path root;

    /** Five rounds with a window of 3 keeping 1: rounds 1-3 compacted, 4-5 recent. */
    @BeforeEach
    void fiveRoundsOneCompaction() {
        for (int i = 1; i <= 5; i++) {
            LauncherRun.inRoot(root, "append", "--user", "question " + i, "--assistant",
                    "answer " + i, "--meta", "n=" + i, "--max-rounds", "3", "--keep-rounds", "1",
                    "conv").expect(0);
        }
    }

    private Path stateFile(String convId) {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            return store.checkpointFile(convId);
        }
    }

    @Test
    void showSummarizesTheState() {
        String out = LauncherRun.inRoot(root, "show", "conv").expect(0).out();
        assertTrue(out.contains("'conv'"), out);
        assertTrue(out.contains("5 appended"), out);
        assertTrue(out.contains("3 compacted"), out);
        assertTrue(out.contains(stateFile("conv").toString()), out);
    }

    @Test
    void showJsonPrintsTheCurrentStateAndCheckpointTheFile() throws IOException {
        // A round after the compaction's checkpoint: the file is behind the log.
        LauncherRun.inRoot(root, "append", "--user", "question 6", "--compact-timeout", "0",
                "conv").expect(0);
        String out = LauncherRun.inRoot(root, "show", "--json", "conv").expect(0).out();
        assertEquals(List.of("conv"), JsonValues.of(out, "conv_id"));
        assertTrue(JsonValues.of(out, "content").contains("question 6"), out);
        assertTrue(out.contains("\n  \""), "pretty-printed: " + out);
        String checkpoint = LauncherRun.inRoot(root, "show", "--checkpoint", "conv").expect(0)
                .out();
        String file = Files.readString(stateFile("conv"), StandardCharsets.UTF_8);
        assertEquals(file.endsWith("\n") ? file : file + "\n", checkpoint);
        assertFalse(JsonValues.of(checkpoint, "content").contains("question 6"), checkpoint);
        LauncherRun.inRoot(root, "show", "--json", "--checkpoint", "conv").expect(2);
    }

    @Test
    void readCommandsExitThreeForAConversationNeverStored() {
        for (String command : List.of("show", "context", "transcript", "compact", "delete")) {
            String line = LauncherRun.inRoot(root, command, "nobody").expect(3).oneErrorLine();
            assertTrue(line.contains("'nobody'") && line.contains("no such conversation"), line);
        }
        LauncherRun.inRoot(root, "show", "--json", "nobody").expect(3);
    }

    @Test
    void aDamagedLogExitsFourAndIsLeftUntouched() throws IOException {
        // Damage after the checkpoint, with a record behind it: a load replays it and fails.
        LauncherRun.inRoot(root, "append", "--user", "question 6", "--compact-timeout", "0",
                "conv").expect(0);
        Stored.damageLog(root, "conv", "question 5");
        Path log = Stored.log(root, "conv");
        byte[] damaged = Files.readAllBytes(log);
        for (String command : List.of("show", "context", "transcript")) {
            String line = LauncherRun.inRoot(root, command, "conv").expect(4).oneErrorLine();
            assertTrue(line.contains("'conv'"), line);
        }
        LauncherRun.inRoot(root, "append", "--user", "u", "conv").expect(4);
        assertTrue(java.util.Arrays.equals(damaged, Files.readAllBytes(log)),
                "nothing but check --repair changes a damaged log");
    }

    @Test
    void anUnreadableCheckpointIsReadAroundFromTheLog() throws IOException {
        Files.writeString(stateFile("conv"), "{\"schema_version\": 2, trunc");
        String out = LauncherRun.inRoot(root, "show", "conv").expect(0).out();
        assertTrue(out.contains("5 appended"), out);
        assertEquals("{\"schema_version\": 2, trunc", Files.readString(stateFile("conv")),
                "a read changes nothing");
    }

    @Test
    void contextTextHoldsTheCompressedContextThenTheRecentRounds() {
        String out = LauncherRun.inRoot(root, "context", "conv").expect(0).out();
        assertTrue(out.startsWith("[context]\n"), out);
        assertTrue(out.indexOf("[round 4]") < out.indexOf("[round 5]"), out);
        assertFalse(out.contains("[round 3]"), out);
        assertEquals(out, LauncherRun.inRoot(root, "context", "--format", "text", "conv")
                .expect(0).out());
    }

    @Test
    void contextMessagesIsABareArraySystemFirst() throws IOException {
        String out = LauncherRun.inRoot(root, "context", "--format", "messages", "conv")
                .expect(0).out();
        assertTrue(out.strip().startsWith("["), out);
        assertEquals(List.of("system", "user", "assistant", "user", "assistant"),
                JsonValues.of(out, "role"));
        assertEquals("question 4", JsonValues.of(out, "content").get(1));
        LauncherRun.inRoot(root, "append", "--user", "only", "fresh").expect(0);
        String fresh = LauncherRun.inRoot(root, "context", "--format", "messages", "fresh")
                .expect(0).out();
        assertEquals(List.of("user", "assistant"), JsonValues.of(fresh, "role"),
                "no system message while there is no compressed context");
        LauncherRun.inRoot(root, "context", "--format", "yaml", "conv").expect(2);
    }

    @Test
    void transcriptPrintsEveryRoundArchivedOrRecent() throws IOException {
        String text = LauncherRun.inRoot(root, "transcript", "conv").expect(0).out();
        for (int i = 1; i <= 5; i++) {
            assertTrue(text.contains("[round " + i + "]"), text);
            assertTrue(text.contains("user: question " + i + "\n"), text);
        }
        assertTrue(text.contains("meta: n=3"), text);
        String json = LauncherRun.inRoot(root, "transcript", "--json", "conv").expect(0).out();
        assertEquals(List.of("1", "1", "2", "2", "3", "3", "4", "4", "5", "5"),
                JsonValues.of(json, "round"), "each message names its round");
        assertEquals(10, JsonValues.of(json, "created_at").size());
        assertEquals(List.of("1", "2", "3", "4", "5"), JsonValues.of(json, "n"));
        String lines = LauncherRun.inRoot(root, "transcript", "--jsonl", "conv").expect(0).out();
        assertEquals(10, lines.lines().count(), lines);
        for (String line : lines.lines().toList()) {
            assertEquals(1, JsonValues.of(line, "role").size(), line);
        }
    }

    @Test
    void jsonOutputWritesEmojiAsUtf8NotAsEscapedSurrogates() throws IOException {
        LauncherRun.inRoot(root, "append", "--user", "boat \uD83D\uDEA3", "--assistant", "ok",
                "emoji").expect(0);
        for (String[] command : List.of(new String[] {"transcript", "--json", "emoji"},
                new String[] {"context", "--format", "messages", "emoji"},
                new String[] {"show", "--json", "emoji"})) {
            String out = LauncherRun.inRoot(root, command).expect(0).out();
            assertTrue(out.contains("boat \uD83D\uDEA3"), out);
            assertTrue(!out.contains("\\uD83D"), out);
            assertTrue(JsonValues.of(out, "user").contains("boat \uD83D\uDEA3")
                    || JsonValues.of(out, "content").contains("boat \uD83D\uDEA3"), out);
        }
    }

    @Test
    void transcriptRangesAndTheirValidation() throws IOException {
        String json = LauncherRun.inRoot(root, "transcript", "--json", "--from", "2", "--limit",
                "3", "conv").expect(0).out();
        assertEquals(List.of("2", "2", "3", "3", "4", "4"), JsonValues.of(json, "round"));
        assertEquals(List.of("5", "5"), JsonValues.of(LauncherRun.inRoot(root, "transcript", "--json",
                "--from", "5", "conv").expect(0).out(), "round"));
        assertEquals("[]\n", LauncherRun.inRoot(root, "transcript", "--json", "--from", "9",
                "conv").expect(0).out());
        assertEquals(List.of(), JsonValues.of(LauncherRun.inRoot(root, "transcript", "--json",
                "--limit", "0", "conv").expect(0).out(), "round"));
        LauncherRun.inRoot(root, "transcript", "--from", "0", "conv").expect(2);
        LauncherRun.inRoot(root, "transcript", "--limit", "-1", "conv").expect(2);
    }
}
