package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without {@code --repair}, nothing but a write command changes a file: the read commands and
 * {@code check} work around a stale temp file and a torn archive line in memory, {@code check}
 * reports what it found, and only {@code check --repair} (or a write of that conversation)
 * removes it. {@code list} says what it skipped; {@code check} of a missing root says so.
 */
class ReadOnlyCommandsTest {
    @TempDir
    Path root;
    private Path temp;
    private Path archive;

    /** Five rounds, three compacted; a crashed writer's temp file; a torn last archive line. */
    @BeforeEach
    void aConversationWithCrashLeftovers() throws IOException {
        for (int i = 1; i <= 5; i++) {
            LauncherRun.inRoot(root, "append", "--user", "question " + i, "--assistant",
                    "answer " + i, "--max-rounds", "3", "--keep-rounds", "1", "conv").expect(0);
        }
        try (ConversationStore store = ConversationStore.open(root)) {
            archive = store.archiveFile("conv");
            temp = store.stateFile("conv").resolveSibling(
                    store.stateFile("conv").getFileName() + ".00000000deadbeef.tmp");
        }
        Files.writeString(temp, "{\"schema_version\":1,\"conv_");
        Files.write(archive, "{\"seq\":4,\"user\":\"tor".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
    }

    @Test
    void readCommandsAndCheckWithoutRepairChangeNoFile() {
        Map<String, String> before = TreeSnapshot.of(root, null);
        List<List<String>> commands = List.of(
                List.of("show", "conv"), List.of("show", "--json", "conv"),
                List.of("list"), List.of("list", "--json"),
                List.of("transcript", "conv"), List.of("transcript", "--json", "conv"),
                List.of("transcript", "--from", "2", "--limit", "2", "conv"),
                List.of("context", "conv"), List.of("context", "--format", "messages", "conv"),
                List.of("check"));
        for (List<String> command : commands) {
            LauncherRun run = LauncherRun.inRoot(root, command.toArray(String[]::new)).expect(0);
            assertEquals(before, TreeSnapshot.of(root, null), "after " + command);
            if (command.get(0).equals("transcript") && command.size() == 2) {
                assertTrue(run.out().contains("[round 3]") && !run.out().contains("tor"),
                        "the torn line is skipped in memory: " + run.out());
            }
        }
    }

    @Test
    void checkReportsTheStaleTempAndOnlyCheckRepairRemovesIt() {
        LauncherRun check = LauncherRun.inRoot(root, "check").expect(0);
        assertTrue(check.out().contains("stale temp: " + temp), check.out());
        assertTrue(check.out().contains("1 finding(s); run 'palimpsest check --repair'"),
                check.out());
        assertTrue(Files.exists(temp));
        LauncherRun repair = LauncherRun.inRoot(root, "check", "--repair").expect(0);
        assertTrue(repair.out().contains("stale temp: " + temp) && repair.out().contains(
                "-> removed"), repair.out());
        assertFalse(Files.exists(temp));
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out()
                .contains("files: clean"));
    }

    @Test
    void aWriteOfTheConversationRemovesItsStaleTempAndCutsTheTornLine() throws IOException {
        LauncherRun.inRoot(root, "compact", "--keep-rounds", "1", "conv").expect(0);
        assertFalse(Files.exists(temp), "the locked write removed its own stale temp");
        assertTrue(Files.readString(archive).endsWith("\n"), "the torn line was cut");
        assertFalse(Files.readString(archive).contains("tor\""));
    }

    @Test
    void listSaysHowManyFilesItSkippedAndHowToSeeThem() throws IOException {
        Path broken = root.resolve("sm/conversation-broken.json");
        Files.writeString(broken, "{\"schema_version\":");
        for (String format : List.of("text", "json")) {
            LauncherRun run = format.equals("json")
                    ? LauncherRun.inRoot(root, "list", "--json").expect(0)
                    : LauncherRun.inRoot(root, "list").expect(0);
            assertTrue(run.out().contains("conv"), run.out());
            assertEquals("palimpsest list: skipped 1 state file that cannot be read; run "
                    + "'palimpsest check' to see which and why", run.oneErrorLine());
        }
        LauncherRun check = LauncherRun.inRoot(root, "check").expect(4);
        assertTrue(check.out().contains("unreadable state: " + broken), check.out());
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
