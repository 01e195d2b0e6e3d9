package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Counters;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compact-timeout} and {@code compact_timeout_s}: 0 skips the compaction (no summarizer
 * call), a slow one shows its progress on a terminal and nowhere else.
 */
class AppendCompactionTimeoutTest {
    @TempDir
    Path root;

    private void threeRounds() {
        for (int i = 1; i <= 3; i++) {
            LauncherRun.inRoot(root, "append", "--user", "u" + i, "--compact-timeout", "0", "c")
                    .expect(0);
        }
    }

    private Counters counters() {
        return Stored.state(root, "c").counters();
    }

    private static String[] compactingAppend(Path root, LoopbackHttpServer server,
                                             String... extra) {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "append",
                "--user", "u4", "--max-rounds", "2", "--keep-rounds", "1", "--summarizer",
                "openai", "--model", "m", "--openai-url", server.baseUrl().toString()));
        args.addAll(List.of(extra));
        args.add("c");
        return args.toArray(String[]::new);
    }

    @Test
    void zeroFromTheConfigurationSkipsCompactionAndCallsNoSummarizer() throws IOException {
        threeRounds();
        Files.writeString(root.resolve("config.json"), "{\"compact_timeout_s\": 0}");
        try (LoopbackHttpServer hung = LoopbackHttpServer.hanging()) {
            LauncherRun run = LauncherRun.with(Map.of(), "", compactingAppend(root, hung));
            run.expect(0);
            assertEquals("4\n", run.out());
            assertEquals("", run.err());
            assertEquals(0, hung.requests(), "no summarizer call");
        }
        assertEquals(0, counters().compactions());
        assertEquals(0, counters().compactionFailures(), "skipped, not failed");
        assertEquals(4, counters().roundsTotal());
    }

    @Test
    void theFlagOverridesTheConfigurationAndANegativeTimeoutIsRefused() throws IOException {
        threeRounds();
        Files.writeString(root.resolve("config.json"), "{\"compact_timeout_s\": 0}");
        try (LoopbackHttpServer answering = LoopbackHttpServer.answeringAfter(0)) {
            LauncherRun.with(Map.of(), "", compactingAppend(root, answering,
                    "--compact-timeout", "30")).expect(0);
            assertEquals(1, answering.requests());
        }
        assertEquals(1, counters().compactions());
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "--compact-timeout", "-1",
                "c").expect(2).oneErrorLine().contains("--compact-timeout must be 0 or more"));
        Files.writeString(root.resolve("config.json"), "{\"compact_timeout_s\": -1}");
        LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(2);
    }

    private String stderrOfASlowCompaction(boolean terminal) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal streams = new Terminal(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), InputStream.nullInputStream(),
                Map.of(), terminal, false);
        try (LoopbackHttpServer slow = LoopbackHttpServer.answeringAfter(
                Progress.DELAY_MILLIS + 1_500)) {
            assertEquals(0, Launcher.run(streams, compactingAppend(root, slow)));
        }
        assertEquals("4\n", out.toString(StandardCharsets.UTF_8));
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSlowCompactionShowsItsProgressOnATerminalOnly() throws IOException {
        threeRounds();
        String shown = stderrOfASlowCompaction(true);
        assertTrue(shown.contains("\rpalimpsest append: compacting conversation 'c'"), shown);
        assertTrue(shown.endsWith("\r\u001b[K"), "the line is erased at the end: " + shown);
        LauncherRun.inRoot(root, "delete", "c").expect(0);
        threeRounds();
        assertEquals("", stderrOfASlowCompaction(false));
        assertFalse(counters().compactions() == 0);
    }
}
