package dev.palimpsest.store.file;

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
 * {@code umask 000} ({@link UmaskWriterChild}) still makes {@code sm/} and its quarantine
 * directories 0700 and every file in them (log segments, checkpoint, index, lock) 0600, and so
 * does one under {@code umask 377}, which takes the owner's write bit from the mode asked for at
 * creation (the store then has to change the mode, not only ask for it).
 */
class UmaskChildProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "umask {0}")
    @CsvSource({"000, rw-rw-rw-", "377, r--------"})
    void filesAre0600AndDirectoriesAre0700WhateverTheUmask(String umask, String probeMode)
            throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"),
                "permissions are a POSIX notion");
        Path root = dir.resolve("data");
        Path probeDir = Files.createDirectory(dir.resolve("probe"));
        String convId = "umask id/é";
        try (ChildJvms children = new ChildJvms(1, WAIT)) {
            ChildJvm child = children.startThroughShell("umask " + umask, UmaskWriterChild.class,
                    root.toString(), convId, probeDir.toString());
            assertEquals(0, child.awaitExit(WAIT), child.describe());
            // Without this the test could pass under a strict umask without proving anything.
            assertEquals(List.of("probe " + probeMode, "done"), child.lines(),
                    "the child must have run under umask " + umask);
        }
        Path sm = root.resolve("sm");
        Map<String, String> modes = new TreeMap<>();
        try (Stream<Path> files = Files.walk(sm)) {
            for (Path file : files.toList()) {
                boolean directory = Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS);
                modes.put(sm.relativize(file) + (directory ? "/" : ""), mode(file));
            }
        }
        String stem = ConversationIdCodec.stem(convId);
        for (String name : List.of(ConversationIdCodec.segmentName(stem, 1),
                ConversationIdCodec.segmentName(stem, 2), ConversationIdCodec.stateName(stem),
                ConversationIdCodec.indexName(stem), ConversationIdCodec.lockName(stem),
                "quarantine/")) {
            assertTrue(modes.containsKey(name), name + " among " + modes.keySet());
        }
        assertTrue(modes.keySet().stream().anyMatch(n -> n.startsWith("quarantine/damaged.")
                && n.endsWith("/")), "a quarantined log: " + modes.keySet());
        modes.forEach((name, mode) -> assertEquals(
                name.endsWith("/") ? "rwx------" : "rw-------", mode, name));
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(
                Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }
}
