package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Long work shows a progress line on standard error when that is a terminal, and nothing
 * otherwise; a transcript shows none when it scrolls by on the terminal itself.
 */
class ProgressTest {
    @TempDir
    Path root;

    /** Standard output that takes its time, as a slow disk or a slow reader does. */
    private static final class SlowOutput extends OutputStream {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            bytes.write(b, off, len);
        }
    }

    private String transcriptStderr(boolean errIsTerminal, boolean outIsTerminal) {
        SlowOutput out = new SlowOutput();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), InputStream.nullInputStream(),
                Map.of(), errIsTerminal, outIsTerminal);
        assertEquals(ExitCode.OK, Launcher.run(terminal, "--root", root.toString(), "transcript",
                "c"));
        assertTrue(out.bytes.toString(StandardCharsets.UTF_8).contains("[round 60]"));
        return err.toString(StandardCharsets.UTF_8);
    }

    /**
     * A check that takes its time shows a progress line: here it waits for a conversation's
     * lock while another process (a child JVM) holds it, until the progress line has shown; no
     * timing is assumed.
     */
    @Test
    void aLongCheckShowsItsProgressOnTheTerminal() throws Exception {
        LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(0);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(new ByteArrayOutputStream(), false,
                StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                InputStream.nullInputStream(), Map.of(), true, false);
        Path lockFile;
        try (var files = Files.list(root.resolve("sm"))) {
            lockFile = files.filter(f -> f.getFileName().toString().endsWith(".lock"))
                    .findFirst().orElseThrow();
        }
        Process holder = LockHolderMain.hold(lockFile);
        CompletableFuture<Integer> check;
        try {
            check = CompletableFuture.supplyAsync(
                    () -> Launcher.run(terminal, "--root", root.toString(), "check"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!err.toString(StandardCharsets.UTF_8).contains("palimpsest check: ")
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            LockHolderMain.release(holder);
        }
        assertEquals(ExitCode.OK, check.get(60, TimeUnit.SECONDS));
        String shown = err.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("\rpalimpsest check: checking conversations"), shown);
        assertTrue(shown.contains("\r\u001b[K"), "the line is erased: " + shown);
    }

    @Test
    void aLongTranscriptIntoAFileShowsHowFarItGotOnTheTerminal() {
        ClosedPipeTest.storeLongConversation(root, "c", 60);
        String shown = transcriptStderr(true, false);
        assertTrue(shown.contains("palimpsest transcript: 'c': round "), shown);
        assertTrue(shown.endsWith("\r\u001b[K"), shown);
        assertEquals("", transcriptStderr(false, false), "not a terminal: nothing");
        assertEquals("", transcriptStderr(true, true), "the transcript is its own progress");
    }
}
