package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The store sets its own permissions instead of trusting the umask: a child JVM started under
 * {@code umask 000} ({@link UmaskWriterMain}) still creates {@code sm/} as 0700 and every file in
 * it (state, archive, lock) as 0600, and so does one under {@code umask 377}, which takes the
 * owner's write bit from the mode given at creation (the store then has to change the mode, not
 * only ask for it).
 */
class UmaskChildProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "umask {0}")
    @CsvSource({"000, rw-rw-rw-", "377, r--------"})
    void filesAre0600AndSmIs0700WhateverTheUmask(String umask, String probeMode)
            throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "permissions are a POSIX notion");
        Path root = dir.resolve("data");
        Path probeDir = Files.createDirectory(dir.resolve("probe"));
        String convId = "umask id/é";
        try (ChildJvms children = new ChildJvms(1, WAIT)) {
            ChildJvm child = children.startThroughShell("umask " + umask, UmaskWriterMain.class,
                    root.toString(), convId, probeDir.toString());
            assertEquals(0, child.awaitExit(WAIT), child.stderr());
            // Without this the test could pass under a strict umask without proving anything.
            assertEquals(List.of("probe " + probeMode, "done"), child.lines(),
                    "the child must have run under umask " + umask);
        }
        Path sm = root.resolve("sm");
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> files = Files.list(sm)) {
            for (Path file : files.toList()) {
                boolean directory = Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS);
                modes.put(file.getFileName() + (directory ? "/" : ""), mode(file));
            }
        }
        assertEquals("rwx------", mode(sm), "sm/");
        try (ConversationStore store = ConversationStore.open(root)) {
            assertTrue(modes.containsKey(store.stateFile(convId).getFileName().toString()),
                    "state file among " + modes.keySet());
            assertTrue(modes.containsKey(store.archiveFile(convId).getFileName().toString()),
                    "archive among " + modes.keySet());
        }
        assertTrue(modes.size() >= 3, "state, archive and lock file expected: " + modes);
        modes.forEach((name, mode) -> assertEquals(
                name.endsWith("/") ? "rwx------" : "rw-------", mode, name));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
