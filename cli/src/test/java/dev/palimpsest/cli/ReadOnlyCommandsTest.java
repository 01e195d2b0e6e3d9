package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code --repair}, nothing but a write command changes a file: the read commands and
 * {@code check} work around a checkpoint temp file and a torn log tail left by killed writers,
 * {@code check} reports what it found, and only {@code check --repair} removes the temp file
 * (a write of the conversation overwrites the torn tail). {@code list} says what it skipped;
 * {@code check} of a missing root says so.
 */
class ReadOnlyCommandsTest {
    @TempDir
    Path root;
    private Path temp;
    private Path log;

    /** Five rounds, three compacted; a crashed checkpoint writer's temp; a torn last record. */
    @BeforeEach
    void aConversationWithCrashLeftovers() {
        for (int i = 1; i <= 5; i++) {
            LauncherRun.inRoot(root, "append", "--user", "question " + i, "--assistant",
                    "answer " + i, "--max-rounds", "3", "--keep-rounds", "1", "conv").expect(0);
        }
        temp = Stored.leaveCheckpointTemp(root, "conv");
        log = Stored.tearLogTail(root, "conv");
    }

    @Test
    void readCommandsAndCheckWithoutRepairChangeNoFile() {
        Map<String, String> before = TreeSnapshot.of(root, null);
        List<List<String>> commands = List.of(
                List.of("show", "conv"), List.of("show", "--json", "conv"),
                List.of("list"), List.of("list", "--json"),
                List.of("transcript", "conv"), List.of("transcript", "--json", "conv"),
                List.of("transcript", "--jsonl", "conv"),
                List.of("transcript", "--from", "2", "--limit", "2", "conv"),
                List.of("context", "conv"), List.of("context", "--format", "messages", "conv"),
                List.of("context", "--format", "anthropic", "conv"),
                List.of("check"), List.of("check", "--json"));
        for (List<String> command : commands) {
            LauncherRun run = LauncherRun.inRoot(root, command.toArray(String[]::new)).expect(0);
            assertEquals(before, TreeSnapshot.of(root, null), "after " + command);
            if (command.equals(List.of("transcript", "--json", "conv"))) {
                assertEquals(List.of("1", "2", "3", "4", "5"), JsonValues.of(run.out(), "round")
                        .stream().distinct().toList(),
                        "every round, the torn record read around: " + run.out());
            }
        }
    }

    @Test
    void checkReportsBothLeftoversAndOnlyCheckRepairMendsThem() {
        LauncherRun check = LauncherRun.inRoot(root, "check").expect(0);
        assertTrue(check.out().contains("leftover temp file: " + temp), check.out());
        assertTrue(check.out().contains("torn tail: " + log), check.out());
        assertTrue(check.out().contains("checked 1 conversation: 2 finding(s); run "
                + "'palimpsest check --repair' to repair"), check.out());
        assertTrue(Files.exists(temp));
        LauncherRun repair = LauncherRun.inRoot(root, "check", "--repair").expect(0);
        assertEquals(2, repair.out().lines().filter(l -> l.endsWith("-> repaired")).count(),
                repair.out());
        assertFalse(Files.exists(temp));
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out()
                .contains("checked 1 conversation: clean"));
        assertEquals(5, Stored.rounds(root, "conv").size(), "repair lost no round");
    }

    @Test
    void aWriteOfTheConversationOverwritesTheTornTail() {
        LauncherRun.inRoot(root, "append", "--user", "question 6", "conv").expect(0);
        String check = LauncherRun.inRoot(root, "check").expect(0).out();
        assertFalse(check.contains("torn tail"), check);
        assertEquals(6, Stored.rounds(root, "conv").size());
        assertEquals("question 6", Stored.user(Stored.rounds(root, "conv").get(5)));
    }

    @Test
    void listSaysHowManyConversationsItSkippedAndHowToSeeThem() throws IOException {
        // A checkpoint without the log it summarizes: the conversation cannot be read.
        Path broken = root.resolve("sm/conversation-broken.json");
        Files.writeString(broken, "{\"schema_version\":");
        for (String format : List.of("text", "json")) {
            LauncherRun run = format.equals("json")
                    ? LauncherRun.inRoot(root, "list", "--json").expect(0)
                    : LauncherRun.inRoot(root, "list").expect(0);
            assertTrue(run.out().contains("conv"), run.out());
            assertFalse(run.out().contains("broken"), run.out());
            assertEquals("palimpsest list: skipped 1 conversation that cannot be read; run "
                    + "'palimpsest check' to see which and why", run.oneErrorLine());
        }
        LauncherRun check = LauncherRun.inRoot(root, "check").expect(4);
        assertTrue(check.out().contains(broken.toString()), check.out());
    }

    @Test
    void checkOfADataRootThatDoesNotExistSaysSoWithExitThree() {
        Path missing = root.resolve("no such root");
        String line = LauncherRun.inRoot(missing, "check").expect(3).oneErrorLine();
        assertTrue(line.contains(missing.toString()) && line.contains("does not exist"), line);
        LauncherRun.inRoot(missing, "check", "--repair").expect(3);
        assertFalse(Files.exists(missing), "nothing was created");
    }
}
