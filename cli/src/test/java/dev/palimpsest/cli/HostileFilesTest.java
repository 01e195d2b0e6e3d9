package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command against every hostile thing planted where the store keeps a file: a FIFO (which
 * would block an open forever), a directory, a symbolic link (dangling or not) at the name of the
 * checkpoint, the log, the index or the lock file, and a link or a plain file at {@code sm}. Each
 * command ends promptly with the one expected exit code and a message naming the file; "no such
 * conversation" (exit 3) is never said for a conversation whose files are there. Then
 * {@code check --repair} moves the thing aside, and the conversation reads again.
 *
 * <p>Exit codes: 4 when a file the conversation needs is not a regular file (the checkpoint, the
 * log, the lock file: the store opens none of them, and does not guess around them), 0 for the
 * index (derived data, which reads do without; {@code check} reports it), 6 when {@code sm}
 * itself is not a directory (the store cannot know what is stored). {@code list} skips what it
 * cannot read (exit 0, and says so on standard error); {@code check} reports it (exit 4).
 */
class HostileFilesTest {
    /** The commands, in the order of the expected exit codes below. */
    private static final List<String> COMMANDS = List.of("show", "context", "transcript",
            "append", "compact", "delete", "list", "check");
    private static final Duration PROMPTLY = Duration.ofSeconds(30);

    @TempDir
    Path top;

    /** What to plant where, and what each command must answer. */
    private record Situation(Target target, Kind kind, int[] exits) {
    }

    private enum Target { CHECKPOINT, LOG, INDEX, LOCK, SM }

    private enum Kind { FIFO, DIRECTORY, LINK_TO_FILE, DANGLING_LINK, LINK_TO_DIRECTORY, FILE }

    private static List<Situation> situations() {
        List<Situation> all = new ArrayList<>();
        for (Kind kind : List.of(Kind.FIFO, Kind.DIRECTORY, Kind.LINK_TO_FILE,
                Kind.DANGLING_LINK)) {
            //                                          show ctx transcr append compact delete list check
            all.add(new Situation(Target.CHECKPOINT, kind, new int[] {4, 4, 4, 4, 4, 4, 0, 4}));
            all.add(new Situation(Target.LOG, kind, new int[] {4, 4, 4, 4, 4, 4, 0, 4}));
            all.add(new Situation(Target.INDEX, kind, new int[] {0, 0, 0, 0, 0, 0, 0, 4}));
            all.add(new Situation(Target.LOCK, kind, new int[] {4, 4, 4, 4, 4, 4, 0, 4}));
        }
        for (Kind kind : List.of(Kind.LINK_TO_DIRECTORY, Kind.DANGLING_LINK, Kind.FILE)) {
            all.add(new Situation(Target.SM, kind, new int[] {6, 6, 6, 6, 6, 6, 6, 6}));
        }
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyCommandEndsPromptlyWithItsTypedErrorNamingTheFile() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Situation situation : situations()) {
            for (int c = 0; c < COMMANDS.size(); c++) {
                String command = COMMANDS.get(c);
                int expected = situation.exits()[c];
                tests.add(DynamicTest.dynamicTest(situation.kind() + " at "
                        + situation.target() + ": " + command + " exits " + expected,
                        () -> run(situation, command, expected)));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> checkRepairMovesTheThingAsideAndTheConversationReadsAgain() {
        return situations().stream().filter(s -> s.target() != Target.SM)
                .map(s -> DynamicTest.dynamicTest(s.kind() + " at " + s.target(),
                        () -> repair(s)));
    }

    /** Rounds 1-3 compacted, 4-5 recent: checkpoint, log, index and lock file all exist. */
    private Path aConversation() throws IOException {
        Path root = Files.createTempDirectory(top, "root");
        for (int i = 1; i <= 5; i++) {
            LauncherRun.inRoot(root, "append", "--user", "u" + i, "--assistant", "a" + i,
                    "--max-rounds", "3", "--keep-rounds", "1", "conv").expect(0);
        }
        return root;
    }

    private void run(Situation situation, String command, int expected) throws IOException {
        Path root = aConversation();
        Path planted = plant(root, situation);
        List<String> args = switch (command) {
            case "append" -> List.of("append", "--user", "more", "--max-rounds", "2",
                    "--keep-rounds", "1", "conv");
            case "compact" -> List.of("compact", "--keep-rounds", "1", "conv");
            case "list", "check" -> List.of(command);
            default -> List.of(command, "conv");
        };
        LauncherRun run = launchPromptly(root, planted, args.toArray(String[]::new));
        run.expect(expected);
        String named = planted.toString();
        if (command.equals("check") && situation.target() != Target.SM) {
            assertTrue(run.out().contains(named), run.out() + run.err());
        } else if (expected != 0) {
            String line = run.oneErrorLine();
            assertTrue(line.contains(named), "names " + named + ": " + line);
            assertTrue(line.contains(situation.target() == Target.SM ? "not a directory"
                    : "not a regular file"), line);
        } else if (command.equals("list") && situation.target() != Target.INDEX) {
            assertEquals("palimpsest list: skipped 1 conversation that cannot be read; run "
                    + "'palimpsest check' to see which and why", run.oneErrorLine());
        } else {
            assertEquals("", run.err());
        }
    }

    private void repair(Situation situation) throws IOException {
        Path root = aConversation();
        Path planted = plant(root, situation);
        LauncherRun repair = launchPromptly(root, planted, "check", "--repair").expect(0);
        assertTrue(repair.out().contains(planted + ": not a regular file but"), repair.out());
        assertTrue(Files.isDirectory(root.resolve("sm/quarantine")), "moved aside, not deleted");
        assertTrue(LauncherRun.inRoot(root, "check").expect(0).out().contains("clean"));
        if (situation.target() == Target.LOG) {
            // The checkpoint alone cannot be read without its log: it went aside too.
            LauncherRun.inRoot(root, "show", "conv").expect(3);
        } else {
            assertEquals(5, Stored.rounds(root, "conv").size(), "nothing was lost");
            LauncherRun.inRoot(root, "append", "--user", "u6", "conv").expect(0);
        }
    }

    /** Runs the launcher, failing if it has not ended within {@link #PROMPTLY}. */
    private static LauncherRun launchPromptly(Path root, Path planted, String... args) {
        try {
            return assertTimeoutPreemptively(PROMPTLY, () -> LauncherRun.inRoot(root, args));
        } finally {
            // A regression blocked opening a FIFO would hold its thread forever: let it go.
            Fifos.unblock(planted);
        }
    }

    /** Plants the situation's thing in place of the store's file; returns the path named. */
    private Path plant(Path root, Situation situation) throws IOException {
        Path sm = root.resolve("sm");
        Path file = switch (situation.target()) {
            case CHECKPOINT -> sm.resolve("conversation-conv.json");
            case LOG -> Stored.log(root, "conv");
            case INDEX -> sm.resolve("conversation-conv.index");
            case LOCK -> sm.resolve("conversation-conv.lock");
            case SM -> sm;
        };
        assertTrue(Files.exists(file), "the store wrote " + file);
        Path moved = top.resolve(root.getFileName() + "-moved");
        Files.move(file, moved);
        switch (situation.kind()) {
            case FIFO -> Fifos.make(file);
            case DIRECTORY -> Files.createDirectory(file);
            case LINK_TO_FILE, LINK_TO_DIRECTORY -> Files.createSymbolicLink(file, moved);
            case DANGLING_LINK -> Files.createSymbolicLink(file, top.resolve("nowhere"));
            case FILE -> Files.writeString(file, "not a directory");
        }
        return file;
    }
}
