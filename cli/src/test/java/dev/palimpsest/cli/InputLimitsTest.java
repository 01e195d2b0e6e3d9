package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inputs the launcher opens are bounded and never waited on when they are not what they claim:
 * an endless standard input or {@code /dev/zero} is a size error, a FIFO or a directory as
 * {@code config.json} is refused at once.
 */
class InputLimitsTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private boolean stored(String convId) {
        return Stored.state(root, convId).isStored();
    }

    /** An input stream that never ends, as {@code yes |} gives. */
    private static InputStream endless() {
        return new InputStream() {
            @Override
            public int read() {
                return 'y';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'y');
                return len;
            }
        };
    }

    @Test
    void endlessStandardInputIsASizeErrorNotAnExhaustedHeap() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(new ByteArrayOutputStream(), false,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                endless(), Map.of());
        int exit = assertTimeoutPreemptively(PROMPTLY, () -> Launcher.run(terminal, "--root",
                root.toString(), "append", "--user-file", "-", "c"));
        assertEquals(ExitCode.USAGE, exit);
        String line = err.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.contains("standard input is larger than 32 MiB"), line);
        assertFalse(stored("c"));
    }

    @Test
    void devZeroIsASizeError() {
        String line = assertTimeoutPreemptively(PROMPTLY, () -> LauncherRun.inRoot(root,
                "append", "--assistant-file", "/dev/zero", "c")).expect(2).oneErrorLine();
        assertTrue(line.contains("'/dev/zero' is larger than 32 MiB"), line);
        assertFalse(stored("c"));
    }

    @Test
    void aDirectoryIsNotAnInputFile() {
        String line = LauncherRun.inRoot(root, "append", "--user-file", root.toString(), "c")
                .expect(2).oneErrorLine();
        assertTrue(line.contains("is a directory"), line);
    }

    @Test
    void aFifoAsTheConfigurationIsRefusedNotWaitedOn() throws Exception {
        Files.createDirectories(root);
        Fifos.make(root.resolve("config.json"));
        String line = assertTimeoutPreemptively(PROMPTLY, () -> LauncherRun.inRoot(root,
                "append", "--user", "u", "c")).expect(2).oneErrorLine();
        assertTrue(line.contains("config.json: not a regular file"), line);
        assertFalse(stored("c"));
    }

    @Test
    void aDirectoryOrAHugeFileAsTheConfigurationIsRefused() throws Exception {
        Path config = root.resolve("config.json");
        Files.createDirectories(config);
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(2)
                .oneErrorLine().contains("not a regular file (a directory)"));
        Files.delete(config);
        Files.write(config, new byte[(int) LauncherConfig.MAX_BYTES + 1]);
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(2)
                .oneErrorLine().contains("larger than 1 MiB"));
    }
}
