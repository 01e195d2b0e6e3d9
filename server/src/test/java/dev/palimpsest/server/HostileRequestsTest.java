package dev.palimpsest.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.CompactionPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests an attacker or a broken client sends: slow headers and bodies, huge headers and
 * bodies, malformed JSON, wrong types, ids that look like paths, bad tokens, many connections.
 * Each is refused or cut off, the server goes on serving, and nothing stored is harmed.
 */
class HostileRequestsTest {
    private static final Duration SLOW = Duration.ofSeconds(2);

    private static TestServer server(Path dir) {
        return new TestServer(dir, CompactionPolicy.DEFAULT, b -> b.limits(ServerLimits.DEFAULT
                .withTimeouts(SLOW, Duration.ofSeconds(5), Duration.ofSeconds(5),
                        Duration.ofSeconds(2))
                .withMaxBodyBytes(64 << 10)));
    }

    private static Socket connect(TestServer server) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(server.server.address().getAddress(),
                server.server.address().getPort()), 5_000);
        s.setSoTimeout(15_000);
        return s;
    }

    /** Reads until the server closes; {@return what it sent} */
    private static String readToClose(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        byte[] all;
        try {
            all = in.readAllBytes();
        } catch (IOException reset) {
            return "";
        }
        return new String(all, StandardCharsets.ISO_8859_1);
    }

    @Test
    void slowHeadersAreCutOffAndTheServerGoesOn(@TempDir Path dir) throws Exception {
        try (TestServer server = server(dir); Socket slow = connect(server)) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /v1/health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            assertEquals("", readToClose(slow));
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waited < 10_000, "closed after " + waited + " ms");
            assertEquals(200, server.get("health").statusCode());
        }
    }

    @Test
    void aSlowBodyIsCutOffFreesItsThreadAndStoresNothing(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir, CompactionPolicy.DEFAULT,
                b -> b.limits(ServerLimits.DEFAULT.withThreads(1, 4).withTimeouts(SLOW,
                        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(2))));
             Socket slow = connect(server)) {
            OutputStream out = slow.getOutputStream();
            out.write(("POST /v1/conversations/c1/messages HTTP/1.1\r\nHost: x\r\n"
                    + "Authorization: Bearer " + TestServer.TOKEN + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                    + "{\"role\":\"user\",").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            assertEquals("", readToClose(slow));
            long waited = (System.nanoTime() - started) / 1_000_000;
            assertTrue(waited >= 1_500 && waited < 10_000, "closed after " + waited + " ms");
            // The one thread is free again and its interrupt did not leak into this append.
            assertEquals(201, server.post("conversations/c1/messages",
                    "{\"role\":\"user\",\"content\":\"after\"}").statusCode());
            assertEquals(1, server.store.summary("c1").orElseThrow().counters().messagesTotal());
        }
    }

    @Test
    void hugeHeadersAndBodiesAreRefused(@TempDir Path dir) throws Exception {
        try (TestServer server = server(dir)) {
            try (Socket s = connect(server)) {
                s.getOutputStream().write(("GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: "
                        + "a".repeat(200_000) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                assertFalse(readToClose(s).contains("200 OK"));
            } catch (IOException reset) {
                // Closed while the header was still being sent: refused as well.
            }
            // A chunked body (no Content-Length) past the limit is cut at the limit.
            try (Socket s = connect(server)) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /v1/conversations/c1/messages HTTP/1.1\r\nHost: x\r\n"
                        + "Authorization: Bearer " + TestServer.TOKEN + "\r\n"
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                String chunk = "x".repeat(16 << 10);
                for (int i = 0; i < 8; i++) {
                    out.write((Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = readToClose(s);
                assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
            }
            assertTrue(server.store.summary("c1").isEmpty());
            assertEquals(200, server.get("health").statusCode());
        }
    }

    @Test
    void malformedBodiesGetProblemsNamingWhatFailed(@TempDir Path dir) {
        try (TestServer server = server(dir)) {
            String[][] bodies = {
                {"{\"role\":\"user\",\"content\":\"a\"", "not valid JSON"},
                {"[1,2]", "must hold a JSON object"},
                {"{\"role\":\"user\",\"content\":\"a\",\"colour\":\"red\"}", "unknown field"},
                {"{\"role\":\"wizard\",\"content\":\"a\"}", "must be system, user"},
                {"{\"role\":\"user\",\"content\":5}", "must be a string"},
                {"{\"role\":\"user\",\"content\":\"a\"} {}", "more than one JSON value"},
                {"", "must hold a JSON object"},
                {"[".repeat(100), "must hold a JSON object"},
            };
            for (String[] b : bodies) {
                HttpResponse<String> r = server.post("conversations/c1/messages", b[0]);
                assertEquals(400, r.statusCode(), b[0] + " -> " + r.body());
                assertTrue(r.body().contains("INVALID_INPUT"), r.body());
                assertTrue(r.body().contains(b[1]), b[0] + " -> " + r.body());
            }
            HttpResponse<String> latin = server.send(server.request("conversations/c1/messages")
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(
                            new byte[] {'{', '"', (byte) 0xff, '"', '}'})).build());
            assertEquals(400, latin.statusCode(), latin.body());
            assertTrue(latin.body().contains("not UTF-8"), latin.body());
            assertTrue(server.store.summary("c1").isEmpty());
        }
    }

    @Test
    void idsThatLookLikePathsStayInsideTheStore(@TempDir Path dir) throws Exception {
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Path root = dir.resolve("root");
        try (TestServer server = server(root)) {
            String[] ids = {"..%2F..%2Foutside%2Fx", "%2E%2E", "a%2Fb", "%00", "x%5C..%5Cy",
                    "CON", "%E2%80%AE"};
            List<Integer> statuses = new ArrayList<>();
            for (String id : ids) {
                HttpResponse<String> r = server.post("conversations/" + id + "/messages",
                        "{\"role\":\"user\",\"content\":\"hi\"}");
                statuses.add(r.statusCode());
                assertTrue(r.statusCode() == 201 || r.statusCode() == 400, id + " -> "
                        + r.body());
            }
            // A raw "..": the path is not normalized into another route or directory.
            HttpResponse<String> dots = server.get("conversations/../../etc/passwd");
            assertTrue(dots.statusCode() == 404 || dots.statusCode() == 400, dots.body());
            assertTrue(statuses.contains(201), statuses.toString());
        }
        try (Stream<Path> left = Files.list(outside)) {
            assertEquals(0, left.count(), "a file was written outside the store");
        }
        try (Stream<Path> all = Files.walk(dir)) {
            all.filter(Files::isRegularFile).forEach(f -> assertTrue(f.startsWith(root),
                    f + " is outside the store"));
        }
    }

    @Test
    void missingAndWrongTokensAreRefused(@TempDir Path dir) {
        try (TestServer server = server(dir)) {
            String[] wrong = {null, "Bearer", "Bearer ", "Basic " + TestServer.TOKEN,
                    "Bearer " + TestServer.TOKEN + "x", "Bearer " + TestServer.TOKEN
                    .substring(1), "bearer wrong-token-0123456789"};
            for (String value : wrong) {
                var b = java.net.http.HttpRequest.newBuilder(server.uri("conversations"));
                if (value != null) {
                    b.header("Authorization", value);
                }
                HttpResponse<String> r = server.send(b.GET().build());
                assertEquals(401, r.statusCode(), value);
                assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("")
                        .startsWith("Bearer"), value);
                assertFalse(r.body().contains(TestServer.TOKEN), r.body());
            }
            var lower = java.net.http.HttpRequest.newBuilder(server.uri("conversations"))
                    .header("Authorization", "bearer " + TestServer.TOKEN).GET().build();
            assertEquals(200, server.send(lower).statusCode());
        }
    }

    @Test
    void manyIdleConnectionsDoNotStopTheServer(@TempDir Path dir) throws Exception {
        try (TestServer server = server(dir)) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 300; i++) {
                    idle.add(connect(server));
                }
                for (int i = 0; i < 20; i++) {
                    assertEquals(200, server.get("health").statusCode());
                }
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }

    @Test
    void unsafeConfigurationsAreRefusedAtStart(@TempDir Path dir) {
        try (TestServer server = server(dir)) {
            var engine = server.engine;
            InetSocketAddress any = new InetSocketAddress("0.0.0.0", 0);
            String[] refusals = {
                message(() -> PalimpsestServer.builder(engine).start()),
                message(() -> PalimpsestServer.builder(engine).noAuth().bind(any).start()),
                message(() -> PalimpsestServer.builder(engine).bearerToken(TestServer.TOKEN)
                        .bind(any).start()),
                message(() -> PalimpsestServer.builder(engine).bearerToken("short")),
            };
            assertTrue(refusals[0].contains("bearer token"), refusals[0]);
            assertTrue(refusals[1].contains("loopback"), refusals[1]);
            assertTrue(refusals[2].contains("needs TLS"), refusals[2]);
            assertTrue(refusals[3].contains("at least 16"), refusals[3]);
        }
    }

    private static String message(Runnable start) {
        try {
            start.run();
        } catch (dev.palimpsest.model.PalimpsestException e) {
            assertEquals(dev.palimpsest.model.FailureKind.INVALID_INPUT, e.kind());
            return e.getMessage();
        }
        throw new AssertionError("started");
    }

}
