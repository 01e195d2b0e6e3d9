package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With the OpenAI summarizer configured, an append that does not compact must not pay for the
 * summarizer's HTTP client or JSON mapper (they cost about half a second per launch): the
 * launcher runs in a child JVM that logs every class it loads.
 */
class SummarizerClassLoadingTest {
    private static final Duration LIFETIME = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final List<String> HEAVY = List.of("jdk.internal.net.http.HttpClientImpl",
            "com.fasterxml.jackson.databind.ObjectMapper");

    @TempDir
    Path dir;

    private static List<String> loaded(Path log) throws IOException {
        List<String> classes = Files.readAllLines(log);
        return HEAVY.stream().filter(name -> classes.stream()
                .anyMatch(line -> line.contains(" " + name + " source:"))).toList();
    }

    private static ChildJvm launch(ChildJvms jvms, Path log, String... args) {
        return jvms.startThroughShell("unset OPENAI_API_KEY OPENAI_BASE_URL; "
                + "JAVA_TOOL_OPTIONS='-Xlog:class+load=info:file=" + log + "'; "
                + "export JAVA_TOOL_OPTIONS", LauncherChildMain.class, args);
    }

    @Test
    void anAppendThatDoesNotCompactNeverBuildsTheHttpClientOrTheJsonMapper() throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Files.writeString(root.resolve(LauncherConfig.FILE_NAME), "{\"summarizer\": \"openai\", "
                + "\"model\": \"m\", \"openai_url\": \"http://127.0.0.1:" + port + "/v1\", "
                + "\"max_rounds\": 2, \"keep_rounds\": 1}");
        Path quiet = dir.resolve("append.log");
        Path compacting = dir.resolve("compacting.log");
        try (ChildJvms jvms = new ChildJvms(2, LIFETIME)) {
            ChildJvm first = launch(jvms, quiet, "append", "--root", root.toString(), "--user",
                    "u1", "c");
            assertEquals(0, first.awaitExit(WAIT), first.describe());
            assertEquals(List.of("1"), first.lines(), first.describe());
            assertEquals(List.of(), loaded(quiet), "loaded by an append that did not compact");

            LauncherRun.inRoot(root, "append", "--user", "u2", "c").expect(0);
            // The third round compacts (against the closed port): now both are needed.
            ChildJvm third = launch(jvms, compacting, "append", "--root", root.toString(),
                    "--user", "u3", "c");
            assertEquals(0, third.awaitExit(WAIT), third.describe());
            assertEquals(List.of("3"), third.lines(), third.describe());
            assertTrue(third.stderr().contains("connection refused by"), third.describe());
            assertEquals(HEAVY, loaded(compacting), "the log shows what a compaction loads");
        }
        assertFalse(Files.readString(quiet).isEmpty());
    }
}
