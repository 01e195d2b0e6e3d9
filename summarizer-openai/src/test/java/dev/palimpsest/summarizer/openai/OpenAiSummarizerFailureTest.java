package dev.palimpsest.summarizer.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a call to an OpenAI-compatible endpoint can fail, each against a server (or a closed
 * port) this test sets up on loopback: the message names the URL, what failed and what to do,
 * and never a Java class, a parser's internals or the API key; the failure is a
 * {@link PalimpsestException} of kind {@link FailureKind#SUMMARIZER} about the conversation.
 */
class OpenAiSummarizerFailureTest {
    private static final SummaryRequest REQUEST = Rounds.oneExchange("conv-9", "Hello", "Hi");
    /** A Java package-qualified name, like {@code java.net.ConnectException}. */
    private static final Pattern JAVA_NAME = Pattern.compile(
            "\\b(java|javax|jdk|sun|com\\.sun|com\\.fasterxml)\\.[a-z]");

    private static OpenAiSummarizer.Builder summarizerAt(URI baseUrl) {
        return OpenAiSummarizer.builder().baseUrl(baseUrl).model("test-model")
                .apiKey("sk-secret-test-key").maxRetries(0)
                .connectTimeout(Duration.ofSeconds(5)).requestTimeout(Duration.ofSeconds(20));
    }

    /** Summarizes, expects a failure, checks it is in the user's terms, returns the message. */
    private static String failure(OpenAiSummarizer summarizer) {
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> summarizer.summarize(REQUEST));
        assertEquals(FailureKind.SUMMARIZER, e.kind());
        assertEquals(Optional.of("conv-9"), e.convId());
        String message = e.getMessage();
        assertFalse(JAVA_NAME.matcher(message).find(), "names a Java class: " + message);
        for (String internal : List.of("Exception", "REDACTED", "StreamReadFeature", "Source:",
                "sk-secret-test-key")) {
            assertFalse(message.contains(internal), "contains " + internal + ": " + message);
        }
        assertEquals(1, message.lines().count(), message);
        return message;
    }

    private static HttpServer answering(int status, String contentType, String body)
            throws IOException {
        HttpServer server = HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                exchange.getRequestBody().readAllBytes();
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", contentType);
                if (status == 302) {
                    exchange.getResponseHeaders().add("Location", "https://elsewhere.example/v1");
                }
                exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
                if (bytes.length > 0) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(bytes);
                    }
                }
            }
        });
        server.start();
        return server;
    }

    private static URI baseUrl(HttpServer server, String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/v1");
    }

    private static String failureAgainst(int status, String body) throws IOException {
        HttpServer server = answering(status, "application/json", body);
        try {
            return failure(summarizerAt(baseUrl(server, "http")).build());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aClosedPortIsAConnectionRefusedByTheUrl() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String message = failure(summarizerAt(URI.create("http://127.0.0.1:" + port + "/v1?k=q"))
                .build());
        assertTrue(message.startsWith("connection refused by http://127.0.0.1:" + port
                + "/v1/chat/completions: check that the server is running"), message);
        assertFalse(message.contains("k=q"), "the query may hold a secret: " + message);
    }

    @Test
    void aConnectionThatIsNeverAcceptedTimesOutConnecting() throws IOException {
        // A full accept queue: the kernel drops further connection attempts on the floor.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            boolean dropped = false;
            try {
                for (int i = 0; i < 16 && !dropped; i++) {
                    Socket s = new Socket();
                    queued.add(s);
                    try {
                        s.connect(full.getLocalSocketAddress(), 500);
                    } catch (SocketTimeoutException queueFull) {
                        dropped = true;
                    }
                }
                assertTrue(dropped, "the accept queue never filled");
                String message = failure(summarizerAt(URI.create("http://127.0.0.1:"
                        + full.getLocalPort() + "/v1")).connectTimeout(Duration.ofMillis(500))
                        .build());
                assertTrue(message.startsWith("connecting to http://127.0.0.1:"
                        + full.getLocalPort() + "/v1/chat/completions timed out after 500 ms: "
                        + "check that the host is reachable"), message);

                // A given client connects within its own timeout, which the message names.
                HttpClient given = HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofMillis(400)).build();
                String givenMessage = failure(summarizerAt(URI.create("http://127.0.0.1:"
                        + full.getLocalPort() + "/v1")).connectTimeout(Duration.ofSeconds(30))
                        .httpClient(given).build());
                assertTrue(givenMessage.startsWith("connecting to http://127.0.0.1:"
                        + full.getLocalPort() + "/v1/chat/completions timed out after 400 ms: "
                        + "check that the host is reachable"), givenMessage);
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    @Test
    void anAnswerThatNeverComesIsATimeoutNamingTheLimit() throws IOException {
        try (RawLoopbackServer silent = new RawLoopbackServer(connection -> {
            RawLoopbackServer.readRequest(connection.getInputStream());
            // Hold the connection open without answering until the client gives up.
            connection.getInputStream().read();
        })) {
            String message = failure(summarizerAt(silent.baseUrl("http"))
                    .requestTimeout(Duration.ofMillis(300)).build());
            assertTrue(message.contains("/v1/chat/completions did not answer within 300 ms"),
                    message);
        }
    }

    @Test
    void anAnswerThatStallsHalfwayEndsWithinTheRequestTimeout() throws IOException {
        try (RawLoopbackServer stalling = new RawLoopbackServer(connection -> {
            RawLoopbackServer.readRequest(connection.getInputStream());
            connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: "
                    + "application/json\r\nContent-Length: 100\r\n\r\n{\"cho")
                    .getBytes(StandardCharsets.US_ASCII));
            connection.getOutputStream().flush();
            // Keep the connection open, the answer unfinished, until the client gives up.
            connection.getInputStream().read();
        })) {
            long start = System.nanoTime();
            String message = failure(summarizerAt(stalling.baseUrl("http"))
                    .requestTimeout(Duration.ofMillis(400)).maxRetries(0).build());
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(message.contains("did not finish its answer within"), message);
            assertTrue(millis < 20_000, "ended after " + millis + " ms");
        }
    }

    @Test
    void aConnectionClosedWithoutAnAnswerSaysSo() throws IOException {
        try (RawLoopbackServer closing = new RawLoopbackServer(
                connection -> RawLoopbackServer.readRequest(connection.getInputStream()))) {
            String message = failure(summarizerAt(closing.baseUrl("http")).build());
            assertTrue(message.contains("closed the connection without answering"), message);
        }
    }

    @Test
    void anAnswerCutShortSaysSo() throws IOException {
        try (RawLoopbackServer cutting = new RawLoopbackServer(connection -> {
            RawLoopbackServer.readRequest(connection.getInputStream());
            connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: "
                    + "application/json\r\nContent-Length: 100\r\n\r\n{\"cho")
                    .getBytes(StandardCharsets.US_ASCII));
            connection.getOutputStream().flush();
        })) {
            String message = failure(summarizerAt(cutting.baseUrl("http")).build());
            assertTrue(message.contains("closed the connection before its answer was complete"),
                    message);
        }
    }

    @Test
    void httpsToAPlainHttpServerSaysItDoesNotSpeakTls() throws IOException {
        // What a plain HTTP server (nginx, Go's, Python's) answers to a TLS greeting.
        try (RawLoopbackServer plain = new RawLoopbackServer(connection -> {
            connection.getInputStream().read(new byte[512]);
            connection.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0"
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            connection.getOutputStream().flush();
        })) {
            String message = failure(summarizerAt(plain.baseUrl("https")).build());
            assertTrue(message.contains("/v1/chat/completions does not speak TLS: use an http:// "
                    + "URL"), message);
        }
    }

    @Test
    void anUntrustedCertificateSaysSo(@TempDir Path dir) throws Exception {
        HttpsServer tls = HttpsServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        tls.setHttpsConfigurator(new HttpsConfigurator(selfSigned(dir)));
        tls.createContext("/", exchange -> {
            try (exchange) {
                exchange.sendResponseHeaders(500, -1);
            }
        });
        tls.start();
        try {
            String message = failure(summarizerAt(URI.create("https://127.0.0.1:"
                    + tls.getAddress().getPort() + "/v1")).build());
            assertTrue(message.startsWith("the TLS certificate of https://127.0.0.1:"
                    + tls.getAddress().getPort() + "/v1/chat/completions is not trusted"),
                    message);
        } finally {
            tls.stop(0);
        }
    }

    /** A TLS context with a fresh self-signed certificate for 127.0.0.1, made by keytool. */
    private static SSLContext selfSigned(Path dir) throws Exception {
        Path store = dir.resolve("server.p12");
        char[] password = "test-only".toCharArray();
        Process keytool = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048",
                "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(),
                "-storepass", "test-only", "-keypass", "test-only")
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile())
                .start();
        if (!keytool.waitFor(60, TimeUnit.SECONDS)) {
            keytool.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("keytool did not finish within 60 s");
        }
        assertEquals(0, keytool.exitValue(), "keytool failed");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(store)) {
            keys.load(in, password);
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(
                KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, password);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(managers.getKeyManagers(), null, null);
        return context;
    }

    @Test
    void anErrorStatusQuotesTheServersErrorAndSaysWhatToDo() throws IOException {
        String unauthorized = failureAgainst(401, "{\"error\": {\"message\": \"Incorrect API key "
                + "provided.\", \"type\": \"invalid_request_error\", \"code\": "
                + "\"invalid_api_key\"}}");
        assertTrue(unauthorized.contains("/v1/chat/completions answered HTTP 401: check the API "
                + "key"), unauthorized);
        assertTrue(unauthorized.endsWith("the server said: \"Incorrect API key provided.\""),
                unauthorized);

        String notFound = failureAgainst(404, "{\"error\": \"model 'test-model' not found\"}");
        assertTrue(notFound.contains("answered HTTP 404: check the base URL"), notFound);
        assertTrue(notFound.endsWith("the server said: \"model 'test-model' not found\""),
                notFound);

        String wrongParameter = failureAgainst(400, "{\"error\": {\"message\": \"Unsupported "
                + "parameter: 'max_tokens' is not supported with this model. Use "
                + "'max_completion_tokens' instead.\"}}");
        assertTrue(wrongParameter.contains("answered HTTP 400: the model wants the token-limit "
                + "parameter max_completion_tokens"), wrongParameter);

        String redirected = failureAgainst(302, "");
        assertTrue(redirected.contains("answered HTTP 302: the server redirects to "
                + "\"https://elsewhere.example/v1\""), redirected);
        assertTrue(redirected.endsWith("the server said: (an empty body)"), redirected);

        String longBody = failureAgainst(500, "x".repeat(5_000));
        assertTrue(longBody.contains("answered HTTP 500: the server failed"), longBody);
        assertTrue(longBody.length() < 400, "the body is quoted short: " + longBody.length());
    }

    @Test
    void anAnswerThatIsNotJsonSaysWhatItBeganWith() throws IOException {
        HttpServer html = answering(200, "text/html",
                "<html><body><h1>502 Bad Gateway</h1></body></html>");
        try {
            String message = failure(summarizerAt(baseUrl(html, "http")).build());
            assertTrue(message.contains("answered HTTP 200 with something that is not JSON: check "
                    + "that the base URL points at an OpenAI-compatible API"), message);
            assertTrue(message.endsWith("the answer began: \"<html><body><h1>502 Bad Gateway"
                    + "</h1></body></html>\""), message);
        } finally {
            html.stop(0);
        }
    }

    @Test
    void truncatedJsonNeverShowsTheParsersInternals() throws IOException {
        // Jackson's message for this one locates its start "at [Source: REDACTED (...)".
        String message = failureAgainst(200, "{\"choices\": [{\"message\": {\"content\": \"x\"}}");
        assertTrue(message.contains("not JSON"), message);
    }

    @Test
    void jsonThatIsNotAChatCompletionSaysWhatIsMissing() throws IOException {
        String message = failureAgainst(200, "{\"data\": [{\"embedding\": [0.1, 0.2]}]}");
        assertTrue(message.contains("answered HTTP 200 without a chat completion (no "
                + "choices[0].message.content)"), message);
    }

    @Test
    void anEmptySummaryCutByTheTokenLimitSaysToRaiseIt() throws IOException {
        String message = failureAgainst(200, "{\"choices\": [{\"message\": {\"role\": "
                + "\"assistant\", \"content\": \"\"}, \"finish_reason\": \"length\"}]}");
        assertTrue(message.contains("answered an empty summary: the model ran out of output "
                + "tokens"), message);
        assertTrue(message.contains("raise the output token limit"), message);
    }

    @Test
    void anAnswerLargerThanTheLimitIsRefused() throws IOException {
        HttpServer big = answering(200, "application/json", "[" + "1,".repeat(2_000) + "1]");
        try {
            String message = failure(summarizerAt(baseUrl(big, "http")).maxResponseBytes(1024)
                    .build());
            assertTrue(message.contains("answered more than 1024 bytes"), message);
        } finally {
            big.stop(0);
        }
    }
}
