package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Where the truth is "unreadable", every command says so (issue 10): with the data root, its
 * {@code sm/} or a state file unreadable by file modes, no command answers "no such
 * conversation" (exit 3) for a conversation that exists, and {@code check} does not say
 * "clean" after reading nothing. Each command gets one expected exit code and a message naming
 * the file.
 *
 * <p>File modes do not stop root, so when the build runs as root, the image's launcher runs as
 * the unprivileged user 65534 ({@code setpriv}), in a data root that user owns; otherwise it
 * runs as the build's own user. Each launch is bounded in time.
 */
class UnreadableStoreIT {
    private static final int NOBODY = 65534;
    private static final List<String> COMMANDS = List.of("show", "context", "transcript",
            "append", "compact", "delete", "list", "check");
    private static Path image;
    private static boolean asRoot;

    private Path base;
    private Path root;
    private final List<Path> restore = new ArrayList<>();

    @BeforeAll
    static void findImage() throws IOException {
        image = LaunchedImage.image().toAbsolutePath();
        asRoot = ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    /** A data root of one conversation with compacted rounds, owned by whoever runs the image. */
    @BeforeEach
    void aConversationOwnedByTheUser() throws IOException {
        base = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
                "unreadable");
        // Searchable by the unprivileged user; its parents (the build directory) are too.
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        root = base.resolve("root");
        Files.createDirectory(root);
        if (asRoot) {
            Files.setAttribute(root, "unix:uid", NOBODY);
            Files.setAttribute(root, "unix:gid", NOBODY);
        }
        for (int i = 1; i <= 5; i++) {
            launch("append", "--user", "u" + i, "--assistant", "a" + i, "--max-rounds", "3",
                    "--keep-rounds", "1", "conv").expect(0);
        }
        assertTrue(Files.exists(root.resolve("sm/conversation-conv.json")), "a checkpoint");
    }

    @AfterEach
    void giveBackAccessAndCleanUp() throws IOException {
        for (Path p : restore) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        }
        try (var walk = Files.walk(base)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Test
    void anUnreadableDataRootIsAnIoErrorForEveryCommand() throws IOException {
        makeUnreadable(root);
        expectEveryCommand(new int[] {6, 6, 6, 6, 6, 6, 6, 6}, root.toString());
    }

    @Test
    void anUnreadableSmIsAnIoErrorForEveryCommand() throws IOException {
        makeUnreadable(root.resolve("sm"));
        expectEveryCommand(new int[] {6, 6, 6, 6, 6, 6, 6, 6}, root.resolve("sm").toString());
    }

    @Test
    void anUnreadableCheckpointIsAnIoErrorListSkipsItAndCheckReportsIt() throws IOException {
        Path state = root.resolve("sm/conversation-conv.json");
        makeUnreadable(state);
        //                           show ctx transcr append compact delete list check
        expectEveryCommand(new int[] {6, 6, 6, 6, 6, 6, 0, 4}, state.toString());
    }

    @Test
    void anUnreadableLogIsAnIoErrorListSkipsItAndCheckSaysSo() throws IOException {
        Path log = root.resolve("sm/conversation-conv.00000001.log");
        makeUnreadable(log);
        //                           show ctx transcr append compact delete list check
        expectEveryCommand(new int[] {6, 6, 6, 6, 6, 6, 0, 6}, log.toString());
    }

    private void makeUnreadable(Path p) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("---------"));
        restore.add(0, p);
    }

    private void expectEveryCommand(int[] exits, String named) {
        List<String> wrong = new ArrayList<>();
        for (int c = 0; c < COMMANDS.size(); c++) {
            String command = COMMANDS.get(c);
            List<String> args = switch (command) {
                case "append" -> List.of("append", "--user", "more", "conv");
                case "compact" -> List.of("compact", "--keep-rounds", "1", "conv");
                case "list", "check" -> List.of(command);
                default -> List.of(command, "conv");
            };
            LauncherRun run = launch(args.toArray(String[]::new));
            // check names what it found on standard output; the others on standard error.
            String said = command.equals("check") && run.exit() == 4 ? run.out() : run.err();
            boolean namesIt = exits[c] == 0 && command.equals("list")
                    ? said.contains("skipped 1 conversation") : said.contains(named);
            if (run.exit() != exits[c] || !namesIt) {
                wrong.add(command + ": exit " + run.exit() + " (expected " + exits[c] + "), "
                        + "stdout: " + run.out().strip() + ", stderr: " + run.err().strip());
            }
        }
        assertEquals(List.of(), wrong, "naming " + named);
    }

    /** Runs the image's launcher on the data root, as the unprivileged user if this is root. */
    private LauncherRun launch(String... args) {
        List<String> command = new ArrayList<>();
        if (asRoot) {
            command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY,
                    "--clear-groups"));
        }
        command.add(image.resolve("bin/palimpsest").toString());
        command.add("--root");
        command.add(root.toString());
        command.addAll(List.of(args));
        return LaunchedImage.exec(command, Map.of("PATH", "/usr/bin:/bin", "HOME",
                base.toString()), "");
    }
}
