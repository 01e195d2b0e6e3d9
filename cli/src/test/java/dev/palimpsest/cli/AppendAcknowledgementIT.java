package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code palimpsest append} acknowledges a round as soon as it is durable: the sequence number
 * comes before any compaction, a compaction is bounded by {@code --compact-timeout}, and a
 * signal after the number is printed exits 0 (the round is stored; a retry would duplicate it),
 * while one before it exits 143 or 130. Drives the built image's own launcher.
 */
class AppendAcknowledgementIT {
    @TempDir
    Path root;

    /** Three rounds under a window of two, so that the next append is due to compact. */
    private void threeRoundsDueForCompaction(String convId) {
        for (int i = 1; i <= 3; i++) {
            LauncherRun.inRoot(root, "append", "--user", "u" + i, "--compact-timeout", "0",
                    convId).expect(0);
        }
    }

    private String[] appendCompactingThrough(LoopbackHttpServer server, String timeout,
                                             String convId) {
        return new String[] {"append", "--root", root.toString(), "--user", "u4",
            "--max-rounds", "2", "--keep-rounds", "1", "--summarizer", "openai", "--model", "m",
            "--openai-url", server.baseUrl().toString(), "--compact-timeout", timeout, convId};
    }

    private ConversationState stored(String convId) {
        return Stored.state(root, convId);
    }

    @Test
    void theNumberComesBeforeAHungCompactionAndSigtermThenExitsZero() throws IOException {
        signalAfterTheNumberExitsZero("TERM");
    }

    @Test
    void theNumberComesBeforeAHungCompactionAndSigintThenExitsZero() throws IOException {
        signalAfterTheNumberExitsZero("INT");
    }

    private void signalAfterTheNumberExitsZero(String signal) throws IOException {
        threeRoundsDueForCompaction("c");
        try (LoopbackHttpServer hung = LoopbackHttpServer.hanging();
             LaunchedImage append = LaunchedImage.start(appendCompactingThrough(hung, "600",
                     "c"))) {
            assertEquals("4", append.readLine());
            // The summarizer never answers and may take ten minutes: the number came first.
            assertTrue(append.isAlive(), "the launcher waited for the compaction to print");
            append.signal(signal);
            assertEquals(ExitCode.OK, append.exit(), append::stderr);
        }
        assertEquals(4, stored("c").counters().roundsTotal());
    }

    @Test
    void aHungCompactionIsAbandonedAtTheTimeoutWithOneWarning() throws IOException {
        threeRoundsDueForCompaction("c");
        try (LoopbackHttpServer hung = LoopbackHttpServer.hanging()) {
            LauncherRun run = LaunchedImage.run(appendCompactingThrough(hung, "1", "c"));
            run.expect(ExitCode.OK);
            assertEquals("4\n", run.out());
            String warning = run.oneErrorLine();
            assertTrue(warning.startsWith("palimpsest append: warning: conversation 'c': "
                    + "compaction failed"), warning);
            assertTrue(warning.contains("1 s"), warning);
            assertTrue(hung.requests() >= 1, "the summarizer was asked");
        }
        ConversationState state = stored("c");
        assertEquals(4, state.counters().roundsTotal());
        assertEquals(0, state.counters().compactions());
        assertEquals(1, state.counters().compactionFailures(), "the timeout counts as a failure");
    }

    /**
     * A failing summarizer is one line from the launcher: no {@code java.util.logging} record
     * (date, class, {@code WARNING:}) before it.
     */
    @Test
    void aFailingSummarizerIsOneLineOnStandardError() throws IOException {
        threeRoundsDueForCompaction("c");
        try (LoopbackHttpServer failing = new LoopbackHttpServer(500, "Internal Server Error")) {
            LauncherRun run = LaunchedImage.run(appendCompactingThrough(failing, "5", "c"));
            run.expect(ExitCode.OK);
            assertEquals("4\n", run.out());
            String warning = run.oneErrorLine();
            assertFalse(warning.contains("WARNING"), warning);
            assertTrue(warning.startsWith("palimpsest append: warning:"), warning);
        }
    }

    @Test
    void withDebugNoRecordTakesJavaUtilLoggingsTwoLines() throws IOException {
        threeRoundsDueForCompaction("c");
        try (LoopbackHttpServer failing = new LoopbackHttpServer(500, "Internal Server Error")) {
            String[] args = appendCompactingThrough(failing, "5", "c");
            String[] debug = java.util.Arrays.copyOf(args, args.length + 1);
            debug[args.length - 1] = "--debug";
            debug[args.length] = "c";
            LauncherRun run = LaunchedImage.run(debug).expect(ExitCode.OK);
            assertTrue(run.err().lines().anyMatch(l -> l.startsWith("palimpsest append: "
                    + "warning: conversation 'c': compaction failed")), run.err());
            assertFalse(run.err().contains("WARNING:"), run.err());
            // java.util.logging's console format starts each record with a date line.
            assertFalse(run.err().lines().anyMatch(l -> l.matches("^[A-Z][a-z]{2} \\d{1,2}, "
                    + "\\d{4} .*")), run.err());
        }
    }

    @Test
    void aSigtermBeforeTheNumberIsPrintedExits143AndStoresNothing() throws Exception {
        signalBeforeTheNumber("TERM", ExitCode.TERMINATED);
    }

    @Test
    void aSigintBeforeTheNumberIsPrintedExits130AndStoresNothing() throws Exception {
        signalBeforeTheNumber("INT", ExitCode.INTERRUPTED);
    }

    private void signalBeforeTheNumber(String signal, int expected) throws Exception {
        // The launcher blocks reading a FIFO that nobody writes: the round is never complete.
        Path fifo = Fifos.make(root.resolve("input.fifo"));
        try (LaunchedImage append = LaunchedImage.start("append", "--root", root.toString(),
                "--user-file", fifo.toString(), "c")) {
            append.signal(signal);
            assertEquals(expected, append.exit(), append::stderr);
        }
        assertFalse(stored("c").isStored());
        assertFalse(Files.exists(root.resolve("sm")), "no file of the store was made");
    }
}
