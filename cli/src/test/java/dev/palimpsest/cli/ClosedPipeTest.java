package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader of standard output that goes away ends the command at once, silently, with exit
 * 141, as Unix tools do; any other failed write stays exit 6.
 */
class ClosedPipeTest {
    @TempDir
    Path root;

    /** Rounds enough that a transcript is many writes long. */
    static void storeLongConversation(Path root, String convId, int rounds) {
        String text = "x".repeat(20_000);
        try (FileConversationStore store = FileConversationStore.open(root);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            for (int i = 0; i < rounds; i++) {
                engine.appendRound(convId, "user " + i + " " + text, "assistant " + i);
            }
        }
    }

    /** A pipe whose reader is gone: every write fails, and counts. */
    private static final class ClosedPipe extends OutputStream {
        final AtomicInteger writes = new AtomicInteger();

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            writes.incrementAndGet();
            throw new IOException("Broken pipe");
        }
    }

    private static Terminal terminalOver(OutputStream stdout, boolean pipe,
                                         ByteArrayOutputStream err) {
        return new Terminal(new PrintStream(new BufferedOutputStream(
                new ReaderAwareOutputStream(stdout, pipe)), false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), InputStream.nullInputStream(),
                Map.of());
    }

    @Test
    void aTranscriptIntoAClosedPipeStopsAtTheFirstWriteWithExit141() {
        storeLongConversation(root, "big", 200);
        ClosedPipe pipe = new ClosedPipe();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Launcher.run(terminalOver(pipe, true, err), "--root", root.toString(),
                "transcript", "big");
        assertEquals(ExitCode.CLOSED_PIPE, exit);
        assertEquals("", err.toString(StandardCharsets.UTF_8));
        assertEquals(1, pipe.writes.get(), "nothing is written after the reader went away");
    }

    @Test
    void aFailedWriteToAFileIsStillExitSix() {
        storeLongConversation(root, "big", 3);
        OutputStream full = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(ExitCode.IO, Launcher.run(terminalOver(full, false, err), "--root",
                root.toString(), "transcript", "big"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("cannot write to standard "
                + "output"));
    }
}
