package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.persist.ConversationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command against every hostile thing planted where the store keeps a file: a FIFO (which
 * would block an open forever), a directory, a symbolic link (dangling or not) at the state
 * file's, the archive's or the lock file's name, and a link or a plain file at {@code sm}. Each
 * command ends promptly with the one expected exit code and a message naming the file; "no such
 * conversation" (exit 3) is never said for a conversation whose files are there.
 *
 * <p>Exit codes: 4 when a file of the store is not a regular file (or unreadable), 6 when
 * {@code sm} itself is not a directory (the store cannot know what is stored), 0 when the
 * command does not need the planted file. {@code list} skips what it cannot read (exit 0, and
 * says so on standard error); {@code check} reports it (exit 4).
 */
class HostileFilesTest {
    /** The commands, in the order of the expected exit codes below. */
    private static final List<String> COMMANDS = List.of("show", "context", "transcript",
            "append", "compact", "delete", "list", "check");
    private static final Duration PROMPTLY = Duration.ofSeconds(30);

    @TempDir
    Path top;
    private final List<Path> fifos = new ArrayList<>();

    /** What to plant where, and what each command must answer. */
    private record Situation(String name, Target target, Kind kind, int[] exits) {
    }

    private enum Target { STATE, ARCHIVE, LOCK, SM }

    private enum Kind { FIFO, DIRECTORY, LINK_TO_FILE, DANGLING_LINK, LINK_TO_DIRECTORY, FILE }

    private static List<Situation> situations() {
        List<Situation> all = new ArrayList<>();
        for (Kind kind : List.of(Kind.FIFO, Kind.DIRECTORY, Kind.LINK_TO_FILE,
                Kind.DANGLING_LINK)) {
            //                                          show ctx transcr append compact delete list check
            all.add(new Situation("state", Target.STATE, kind, new int[] {4, 4, 4, 4, 4, 4, 0, 4}));
            // append succeeds: the round is stored, and its compaction fails with a warning.
            all.add(new Situation("archive", Target.ARCHIVE, kind,
                    new int[] {0, 0, 4, 0, 4, 4, 0, 4}));
            all.add(new Situation("lock", Target.LOCK, kind, new int[] {0, 0, 0, 4, 4, 4, 0, 4}));
        }
        all.add(new Situation("sm", Target.SM, Kind.LINK_TO_DIRECTORY,
                new int[] {6, 6, 6, 6, 6, 6, 6, 6}));
        all.add(new Situation("sm", Target.SM, Kind.DANGLING_LINK,
                new int[] {6, 6, 6, 6, 6, 6, 6, 6}));
        all.add(new Situation("sm", Target.SM, Kind.FILE, new int[] {6, 6, 6, 6, 6, 6, 6, 6}));
        return all;
    }

    @TestFactory
    Stream<DynamicTest> everyCommandEndsPromptlyWithItsTypedErrorNamingTheFile() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Situation situation : situations()) {
            for (int c = 0; c < COMMANDS.size(); c++) {
                String command = COMMANDS.get(c);
                int expected = situation.exits()[c];
                tests.add(DynamicTest.dynamicTest(situation.kind() + " at " + situation.name()
                        + ": " + command + " exits " + expected,
                        () -> run(situation, command, expected)));
            }
        }
        return tests.stream();
    }

    private void run(Situation situation, String command, int expected) throws IOException {
        Path root = Files.createTempDirectory(top, "root");
        // Rounds 1-3 compacted into the archive, 4-5 recent: every file of the store exists.
        for (int i = 1; i <= 5; i++) {
            LauncherRun.inRoot(root, "append", "--user", "u" + i, "--assistant", "a" + i,
                    "--max-rounds", "3", "--keep-rounds", "1", "conv").expect(0);
        }
        Path planted = plant(root, situation);
        List<String> args = switch (command) {
            case "append" -> List.of("append", "--user", "more", "--max-rounds", "2",
                    "--keep-rounds", "1", "conv");
            case "compact" -> List.of("compact", "--keep-rounds", "1", "conv");
            case "list", "check" -> List.of(command);
            default -> List.of(command, "conv");
        };
        LauncherRun run;
        try {
            run = assertTimeoutPreemptively(PROMPTLY,
                    () -> LauncherRun.inRoot(root, args.toArray(String[]::new)));
        } finally {
            unblockFifos();
        }
        run.expect(expected);
        String named = planted.toString();
        if (expected == 4 && command.equals("check")) {
            assertTrue(run.out().contains(named), run.out());
        } else if (expected != 0) {
            String line = run.oneErrorLine();
            assertTrue(line.contains(named), "names " + named + ": " + line);
            if (situation.target() != Target.SM) {
                assertTrue(line.contains("not a regular file"), line);
            }
        } else if (command.equals("list") && situation.target() == Target.STATE) {
            assertTrue(run.err().contains("skipped 1 state file"), run.err());
        } else if (command.equals("append") && situation.target() == Target.ARCHIVE) {
            assertTrue(run.err().contains("compaction failed") && run.err().contains(named),
                    run.err());
        } else {
            assertEquals("", run.err());
        }
    }

    /** Plants the situation's thing in place of the store's file; returns the path named. */
    private Path plant(Path root, Situation situation) throws IOException {
        Path sm = root.resolve("sm");
        Path file;
        try (ConversationStore store = ConversationStore.open(root)) {
            file = switch (situation.target()) {
                case STATE -> store.stateFile("conv");
                case ARCHIVE -> store.archiveFile("conv");
                case LOCK -> sm.resolve("conversation-conv.lock");
                case SM -> sm;
            };
        }
        Path moved = top.resolve(root.getFileName() + "-moved");
        if (situation.target() == Target.SM) {
            Files.move(sm, moved);
        } else {
            Files.move(file, moved);
        }
        switch (situation.kind()) {
            case FIFO -> mkfifo(file);
            case DIRECTORY -> Files.createDirectory(file);
            case LINK_TO_FILE, LINK_TO_DIRECTORY -> Files.createSymbolicLink(file, moved);
            case DANGLING_LINK -> Files.createSymbolicLink(file, top.resolve("nowhere"));
            case FILE -> Files.writeString(file, "not a directory");
        }
        return file;
    }

    private void mkfifo(Path file) throws IOException {
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
        try {
            assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS), "mkfifo did not end");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        assertEquals(0, mkfifo.exitValue(), "mkfifo " + file);
        fifos.add(file);
    }

    /**
     * Releases the thread of a regression still blocked opening a FIFO (once the time is up):
     * opening it for reading and writing never blocks on Linux, and lets a blocked reader or
     * writer through.
     */
    private void unblockFifos() {
        for (Path fifo : fifos) {
            if (Files.exists(fifo, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    // Opened and closed: that is what a blocked opener waits for.
                    FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)
                            .close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        fifos.clear();
    }
}
