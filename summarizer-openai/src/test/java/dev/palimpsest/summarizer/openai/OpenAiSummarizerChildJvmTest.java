package dev.palimpsest.summarizer.openai;

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
 * What only a fresh JVM can show about the OpenAI-compatible summarizer: which classes it loads
 * (the HTTP client and the JSON mapper only once it summarizes), and a host name that cannot
 * resolve (with a hosts file of the test's own, so no name server is asked).
 */
class OpenAiSummarizerChildJvmTest {
    private static final Duration LIFETIME = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(60);
    /** Loaded when an HTTP client is built, and by nothing else the child does. */
    static final String HTTP_CLIENT = "jdk.internal.net.http.HttpClientImpl";
    static final String OBJECT_MAPPER = "com.fasterxml.jackson.databind.ObjectMapper";

    @TempDir
    Path dir;

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The position of a class's line in a {@code -Xlog:class+load} log, or -1. */
    static int loadedAt(List<String> log, String className) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(" " + className + " source:")) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void theHttpClientAndTheJsonMapperAreBuiltOnlyWhenACompactionSummarizes() throws IOException {
        Path log = dir.resolve("classes.log");
        String base = "http://127.0.0.1:" + closedPort() + "/v1";
        List<String> lines;
        try (ChildJvms jvms = new ChildJvms(1, LIFETIME)) {
            ChildJvm child = jvms.startThroughShell("JAVA_TOOL_OPTIONS='-Xlog:class+load=info:file="
                    + log + "'; export JAVA_TOOL_OPTIONS", LazyClientChildMain.class, base);
            assertEquals(0, child.awaitExit(WAIT), child.describe());
            lines = child.lines();
        }
        List<String> classes = Files.readAllLines(log);
        int marker = loadedAt(classes, LazyClientChildMain.Compacting.class.getName());
        assertTrue(marker > 0, "the marker class is in the log");
        int client = loadedAt(classes, HTTP_CLIENT);
        int mapper = loadedAt(classes, OBJECT_MAPPER);
        assertTrue(client > marker, "the HTTP client was built before a compaction needed it: "
                + client + " vs marker " + marker);
        assertTrue(mapper > marker, "the JSON mapper was built before a compaction needed it: "
                + mapper + " vs marker " + marker);
        assertEquals(List.of("appended NOT_NEEDED", "appended NOT_NEEDED", "appended NOT_NEEDED",
                "appended NOT_NEEDED", "appended NOT_NEEDED", "appended NOT_NEEDED"),
                lines.subList(0, 6), lines::toString);
        assertTrue(lines.get(6).startsWith("compaction FAILED connection refused by http://"),
                lines::toString);
    }

    @Test
    void aHostNameThatDoesNotResolveSaysSo() throws IOException {
        Path hosts = dir.resolve("hosts");
        Files.writeString(hosts, "127.0.0.1 localhost\n");
        try (ChildJvms jvms = new ChildJvms(1, LIFETIME)) {
            ChildJvm child = jvms.startThroughShell("JAVA_TOOL_OPTIONS='-Djdk.net.hosts.file="
                    + hosts + "'; export JAVA_TOOL_OPTIONS", UnresolvableHostChildMain.class,
                    "http://summarizer.invalid:8080/v1");
            assertEquals(0, child.awaitExit(WAIT), child.describe());
            String line = child.lines().get(0);
            assertTrue(line.startsWith("failed SUMMARIZER cannot resolve the host name 'summarizer.invalid' "
                    + "of http://summarizer.invalid:8080/v1/chat/completions: check the base "
                    + "URL's host name"), line);
            assertFalse(line.contains("Exception") || line.contains("java."), line);
        }
    }
}
