package dev.palimpsest.engine.summarizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.AppendResult;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.InMemoryConversationStore;
import dev.palimpsest.engine.SummarizerException;
import dev.palimpsest.engine.SummaryRequest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible summarizer against a loopback server the test starts. */
class OpenAiSummarizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SummaryRequest REQUEST = new SummaryRequest("conv-7",
            "The user wants a refund.", List.of(
                    new Round(3, "Where is invoice 42?", "It was sent on Monday.", Instant.EPOCH),
                    new Round(4, "Thanks", "You're welcome", Instant.EPOCH)));

    private HttpServer server;
    private ExecutorService handlers;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopping = new CountDownLatch(1);

    /** One scripted answer; {@code hang} holds the answer until the test ends. */
    private record Answer(int status, Map<String, String> headers, String body, boolean hang) {
        static Answer ok(String content) {
            try {
                return new Answer(200, Map.of(), JSON.writeValueAsString(Map.of("choices",
                        List.of(Map.of("index", 0, "message",
                                Map.of("role", "assistant", "content", content))))), false);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer of(int status, String body) {
            return new Answer(status, Map.of(), body, false);
        }
    }

    private record Recorded(String method, String path, String query,
                            Map<String, List<String>> headers, JsonNode body) {
    }

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        server.start();
    }

    @AfterEach
    void stopServer() throws InterruptedException {
        stopping.countDown();
        server.stop(0);
        handlers.shutdownNow();
        assertTrue(handlers.awaitTermination(30, TimeUnit.SECONDS));
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.add(new Recorded(exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(),
                    Map.copyOf(exchange.getRequestHeaders()),
                    body.length == 0 ? null : JSON.readTree(body)));
            Answer answer = answers.poll();
            if (answer == null) {
                answer = Answer.of(599, "no answer scripted");
            }
            if (answer.hang()) {
                try {
                    stopping.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
            answer.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private URI baseUrl() {
        return URI.create("http://" + server.getAddress().getHostString() + ":"
                + server.getAddress().getPort() + "/v1");
    }

    private OpenAiSummarizer.Builder summarizer() {
        return OpenAiSummarizer.builder().baseUrl(baseUrl()).model("test-model")
                .environment(name -> name.equals("OPENAI_API_KEY") ? "sk-test" : null)
                .requestTimeout(Duration.ofSeconds(20)).sleeper(sleeps::add);
    }

    @Test
    void theRequestCarriesTheModelTheKeyAndAPromptWithTheSummaryAndTheRounds() {
        answers.add(Answer.ok("  The merged summary.  "));
        assertEquals("The merged summary.", summarizer().build().summarize(REQUEST));
        assertEquals(1, requests.size());
        Recorded request = requests.get(0);
        assertEquals("POST", request.method());
        assertEquals("/v1/chat/completions", request.path());
        assertEquals(List.of("Bearer sk-test"), request.headers().get("Authorization"));
        assertEquals(List.of("application/json"), request.headers().get("Content-type"));
        assertEquals("test-model", request.body().get("model").asText());
        assertEquals(1024, request.body().get("max_tokens").asInt());
        assertFalse(request.body().has("max_completion_tokens"));
        assertFalse(request.body().get("stream").asBoolean());
        JsonNode messages = request.body().get("messages");
        assertEquals(2, messages.size());
        assertEquals("system", messages.get(0).get("role").asText());
        assertEquals(OpenAiSummarizer.DEFAULT_SYSTEM_PROMPT,
                messages.get(0).get("content").asText());
        assertEquals("user", messages.get(1).get("role").asText());
        String prompt = messages.get(1).get("content").asText();
        assertTrue(prompt.contains("The user wants a refund."), prompt);
        assertTrue(prompt.contains("[round 3]\nUser: Where is invoice 42?\nAssistant: It was sent "
                + "on Monday."), prompt);
        assertTrue(prompt.indexOf("[round 3]") < prompt.indexOf("[round 4]"), prompt);
    }

    @Test
    void withoutAKeyNoAuthorizationHeaderIsSentAndAGivenKeyWins() {
        answers.add(Answer.ok("one"));
        answers.add(Answer.ok("two"));
        summarizer().environment(name -> null).build().summarize(REQUEST);
        summarizer().apiKey("sk-given").build().summarize(REQUEST);
        assertEquals(null, requests.get(0).headers().get("Authorization"));
        assertEquals(List.of("Bearer sk-given"), requests.get(1).headers().get("Authorization"));
    }

    @Test
    void aTooManyRequestsAnswerIsRetriedAfterItsRetryAfterWithinTheCap() {
        answers.add(new Answer(429, Map.of("Retry-After", "2"), "{\"error\":\"slow down\"}",
                false));
        answers.add(new Answer(429, Map.of("Retry-After", "3600"), "{}", false));
        answers.add(Answer.ok("after retries"));
        String summary = summarizer().maxBackoff(Duration.ofSeconds(10)).build()
                .summarize(REQUEST);
        assertEquals("after retries", summary);
        assertEquals(3, requests.size());
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(10)), sleeps);
    }

    @Test
    void serverErrorsAreRetriedWithExponentialBackoffUntilTheRetriesRunOut() {
        for (int i = 0; i < 3; i++) {
            answers.add(Answer.of(500, "{\"error\":\"internal\"}"));
        }
        SummarizerException e = assertThrows(SummarizerException.class,
                () -> summarizer().maxRetries(2).initialBackoff(Duration.ofMillis(100)).build()
                        .summarize(REQUEST));
        assertTrue(e.getMessage().contains("answered HTTP 500 after 3 attempts"), e.getMessage());
        assertEquals(3, requests.size());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeps);
        assertEquals(Optional.of("conv-7"), e.convId());
    }

    @Test
    void aClientErrorIsNotRetried() {
        answers.add(Answer.of(401, "{\"error\":\"bad key\"}"));
        SummarizerException e = assertThrows(SummarizerException.class,
                () -> summarizer().build().summarize(REQUEST));
        assertTrue(e.getMessage().contains("answered HTTP 401: check the API key"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("the server said: \"bad key\""), e.getMessage());
        assertEquals(1, requests.size());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void anAnswerThatTakesTooLongFailsWithATimeout() {
        answers.add(new Answer(200, Map.of(), "", true));
        SummarizerException e = assertThrows(SummarizerException.class,
                () -> summarizer().requestTimeout(Duration.ofMillis(300)).build()
                        .summarize(REQUEST));
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
    }

    @Test
    void malformedJsonIsAFailure() {
        answers.add(Answer.of(200, "{\"choices\": [ {\"message\": "));
        SummarizerException e = assertThrows(SummarizerException.class,
                () -> summarizer().build().summarize(REQUEST));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
    }

    @Test
    void anEmptyOrMissingAnswerIsAFailure() {
        answers.add(Answer.ok("   \n "));
        answers.add(Answer.of(200, "{\"choices\": []}"));
        answers.add(Answer.of(200, "{\"choices\": [{\"message\": {\"content\": null}}]}"));
        OpenAiSummarizer summarizer = summarizer().build();
        SummarizerException empty = assertThrows(SummarizerException.class,
                () -> summarizer.summarize(REQUEST));
        assertTrue(empty.getMessage().contains("empty summary"), empty.getMessage());
        for (int i = 0; i < 2; i++) {
            SummarizerException missing = assertThrows(SummarizerException.class,
                    () -> summarizer.summarize(REQUEST));
            assertTrue(missing.getMessage().contains("no choices[0].message.content"),
                    missing.getMessage());
        }
    }

    @Test
    void anEngineKeepsTheRoundsVerbatimAndNeverStoresTheErrorText() throws Exception {
        answers.add(Answer.of(400, "{\"error\":\"ERROR-TEXT-FROM-SERVER\"}"));
        answers.add(Answer.ok("Summary of rounds 1 to 4."));
        try (var store = new InMemoryConversationStore()) {
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 3, 1_000_000))
                    .summarizer(summarizer().build()).build();
            AppendResult result = null;
            for (int seq = 1; seq <= 7; seq++) {
                result = engine.append("c", "u" + seq, "a" + seq);
            }
            assertEquals(CompactionOutcome.Status.FAILED, result.compaction().status());
            assertTrue(result.compaction().failure().orElseThrow()
                    .contains("ERROR-TEXT-FROM-SERVER"));
            assertEquals("", engine.state("c").compressedContext());
            assertEquals(1, engine.state("c").counters().compactionFailures());
            result = engine.append("c", "u8", "a8");
            assertEquals(CompactionOutcome.committed(5), result.compaction());
            assertEquals("Summary of rounds 1 to 4.", engine.state("c").compressedContext());
        }
    }

    @Test
    void theEngineBoundsAHangingEndpointWithItsSummarizerTimeout() {
        answers.add(new Answer(200, Map.of(), "", true));
        try (var store = new InMemoryConversationStore()) {
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 3, 1_000_000))
                    .summarizer(summarizer().requestTimeout(Duration.ofSeconds(60)).build())
                    .summarizerTimeout(Duration.ofMillis(300)).build();
            AppendResult result = null;
            for (int seq = 1; seq <= 7; seq++) {
                result = engine.append("c", "u" + seq, "a" + seq);
            }
            assertEquals(CompactionOutcome.Status.FAILED, result.compaction().status());
            assertTrue(result.compaction().failure().orElseThrow().contains("timed out after"),
                    result.compaction().toString());
            assertEquals(7, engine.state("c").recentRounds().size());
            assertEquals(1, engine.state("c").counters().compactionFailures());
        }
    }

    @Test
    void retryAfterAsAnHttpDateIsMeasuredWithTheInjectedClock() {
        Instant now = Instant.parse("2026-11-25T20:00:00Z");
        OpenAiSummarizer summarizer = summarizer().clock(Clock.fixed(now, ZoneOffset.UTC))
                .maxBackoff(Duration.ofSeconds(30)).build();
        String inFiveSeconds = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(ZonedDateTime.ofInstant(now.plusSeconds(5), ZoneOffset.UTC));
        assertEquals(Duration.ofSeconds(5), summarizer.backoff(0, Optional.of(inFiveSeconds)));
        String past = DateTimeFormatter.RFC_1123_DATE_TIME
                .format(ZonedDateTime.ofInstant(now.minusSeconds(5), ZoneOffset.UTC));
        assertEquals(Duration.ZERO, summarizer.backoff(0, Optional.of(past)));
        assertEquals(Duration.ofMillis(500), summarizer.backoff(0, Optional.of("soon")));
        assertEquals(Duration.ofSeconds(30), summarizer.backoff(12, Optional.empty()));
    }

    @Test
    void theEndpointIsTheBaseUrlPlusChatCompletions() {
        assertEquals(URI.create("http://localhost:11434/v1/chat/completions"),
                OpenAiSummarizer.builder().baseUrl(URI.create("http://localhost:11434/v1/"))
                        .model("m").build().endpoint());
        URI full = URI.create("http://127.0.0.1:8080/v1/chat/completions");
        assertEquals(full, OpenAiSummarizer.builder().baseUrl(full).model("m").build()
                .endpoint());
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().baseUrl(URI.create("ftp://host/v1")));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().baseUrl(URI.create("/v1")));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().baseUrl(URI.create("http://u:p@127.0.0.1/v1")));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().baseUrl(URI.create("http://127.0.0.1/v1#x")));
        assertThrows(IllegalStateException.class, () -> OpenAiSummarizer.builder().build());
        assertThrows(IllegalArgumentException.class, () -> OpenAiSummarizer.builder().model(" "));
        List<String> names = new ArrayList<>();
        OpenAiSummarizer.builder().model("m").environment(name -> {
            names.add(name);
            return null;
        }).apiKeyFromEnv("MY_KEY").build();
        assertEquals(List.of("OPENAI_BASE_URL", "MY_KEY"), names);
    }

    private static URI endpointFor(String baseUrl) {
        return OpenAiSummarizer.builder().baseUrl(URI.create(baseUrl)).model("m")
                .environment(name -> null).build().endpoint();
    }

    @Test
    void aQueryStringInTheBaseUrlStaysAfterThePath() {
        answers.add(Answer.ok("summary"));
        OpenAiSummarizer summarizer = summarizer()
                .baseUrl(URI.create(baseUrl() + "?api-version=2024-06-01&x=a%20b")).build();
        assertEquals(URI.create(baseUrl() + "/chat/completions?api-version=2024-06-01&x=a%20b"),
                summarizer.endpoint());
        summarizer.summarize(REQUEST);
        assertEquals("/v1/chat/completions", requests.get(0).path());
        assertEquals("api-version=2024-06-01&x=a%20b", requests.get(0).query());
        assertEquals(URI.create("http://h:1/v1/chat/completions?k=v"),
                endpointFor("http://h:1/v1/?k=v"));
        assertEquals(URI.create("http://h:1/v1/chat/completions?k=v"),
                endpointFor("http://h:1/v1/chat/completions?k=v"));
        assertEquals(URI.create("http://h:1/chat/completions"), endpointFor("http://h:1"));
    }

    @Test
    void aReasoningModelCanBeSentNoTemperature() {
        answers.add(Answer.ok("summary"));
        answers.add(Answer.ok("summary"));
        summarizer().build().summarize(REQUEST);
        assertEquals(0.2, requests.get(0).body().get("temperature").asDouble());
        summarizer().temperature(0.7).defaultTemperature().build().summarize(REQUEST);
        assertFalse(requests.get(1).body().has("temperature"), "the model's own default");
    }

    @Test
    void thePromptTheHeadersAndTheTokenLimitParameterAreConfigurable() {
        answers.add(Answer.ok("summary"));
        summarizer().systemPrompt("Summarize tersely.").header("OpenAI-Organization", "org-1")
                .header("X-Title", "palimpsest test")
                .tokenLimitParameter(OpenAiSummarizer.TokenLimitParameter.MAX_COMPLETION_TOKENS)
                .maxOutputTokens(300).build().summarize(REQUEST);
        Recorded request = requests.get(0);
        assertEquals("Summarize tersely.",
                request.body().get("messages").get(0).get("content").asText());
        assertEquals(300, request.body().get("max_completion_tokens").asInt());
        assertFalse(request.body().has("max_tokens"));
        // The JDK's server spells header names with only their first letter in upper case.
        assertEquals(List.of("org-1"), request.headers().get("Openai-organization"));
        assertEquals(List.of("palimpsest test"), request.headers().get("X-title"));
        assertEquals(List.of("Bearer sk-test"), request.headers().get("Authorization"));
    }

    @Test
    void headersTheClientControlsAndMalformedHeadersAreRefusedWithTheReason() {
        for (String name : List.of("Authorization", "authorization", "Content-Type", "Host",
                "content-length", "Connection", "Accept", "Transfer-Encoding", "Upgrade",
                "Expect")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> OpenAiSummarizer.builder().header(name, "v"));
            assertTrue(e.getMessage().contains("'" + name + "'"), e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().header("Authorization", "Bearer x"))
                .getMessage().contains("apiKey"));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().header("X Bad", "v"));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().header("", "v"));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().header("X-Ok", "line\r\nInjected: yes"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().header("X-Ok", "a").header("x-ok", "b"))
                .getMessage().contains("twice"));
        assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.builder().systemPrompt(" \n "));
        assertEquals(OpenAiSummarizer.TokenLimitParameter.MAX_COMPLETION_TOKENS,
                OpenAiSummarizer.TokenLimitParameter.ofFieldName("max_completion_tokens"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> OpenAiSummarizer.TokenLimitParameter.ofFieldName("max_output_tokens"))
                .getMessage().contains("max_completion_tokens"));
    }

    @Test
    void anApiKeyIsNeverSentOverPlainHttpToAHostOffLoopback() {
        URI remote = URI.create("http://192.0.2.7:11434/v1?k=secret");
        InsecureEndpointException given = assertThrows(InsecureEndpointException.class,
                () -> OpenAiSummarizer.builder().model("m").baseUrl(remote).apiKey("sk-given")
                        .build());
        assertEquals(URI.create("http://192.0.2.7:11434/v1/chat/completions?k=secret"),
                given.endpoint());
        String message = given.getMessage();
        assertTrue(message.contains("plain HTTP to 192.0.2.7") && message.contains("https://")
                && message.contains("allowPlainHttp"), message);
        assertFalse(message.contains("sk-given") || message.contains("secret"), message);
        InsecureEndpointException fromEnv = assertThrows(InsecureEndpointException.class,
                () -> OpenAiSummarizer.builder().model("m").baseUrl(remote)
                        .environment(name -> name.equals("MY_KEY") ? "sk-env" : null)
                        .apiKeyFromEnv("MY_KEY").build());
        assertTrue(fromEnv.getMessage().contains("$MY_KEY"), fromEnv.getMessage());

        assertTrue(OpenAiSummarizer.builder().model("m").baseUrl(remote).apiKey("sk-given")
                .allowPlainHttp(true).build().sendsApiKey(), "allowed explicitly");
        assertFalse(OpenAiSummarizer.builder().model("m").baseUrl(remote)
                .environment(name -> null).build().sendsApiKey(), "no key, nothing to protect");
        assertTrue(OpenAiSummarizer.builder().model("m").baseUrl(URI.create("https://192.0.2.7/v1"))
                .apiKey("sk-given").build().sendsApiKey(), "https");
        assertTrue(OpenAiSummarizer.builder().model("m")
                .baseUrl(URI.create("HTTP://LOCALHOST:11434/v1")).apiKey("sk-given").build()
                .sendsApiKey(), "loopback");
    }

    @Test
    void loopbackHostsAreRecognizedFromTheirTextAlone() {
        for (String host : List.of("localhost", "LocalHost", "localhost.", "ollama.localhost",
                "127.0.0.1", "127.1.2.3", "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]")) {
            assertTrue(OpenAiSummarizer.isLoopbackHost(host), host);
        }
        for (String host : List.of("example.com", "localhost.example.com", "127.0.0.1.nip.io",
                "notlocalhost", "10.0.0.1", "0.0.0.0", "127.0.0.256", "[::2]", "[fe80::1]",
                "192.0.2.7")) {
            assertFalse(OpenAiSummarizer.isLoopbackHost(host), host);
        }
    }

    @Test
    void theBaseUrlComesFromOpenAiBaseUrlUnlessOneIsGiven() {
        UnaryOperator<String> env = name -> name.equals("OPENAI_BASE_URL")
                ? "http://127.0.0.1:11434/v1" : null;
        assertEquals(URI.create("http://127.0.0.1:11434/v1/chat/completions"),
                OpenAiSummarizer.builder().model("m").environment(env).build().endpoint());
        assertEquals(URI.create("https://gateway.example/v1/chat/completions"),
                OpenAiSummarizer.builder().model("m").environment(env)
                        .baseUrl(URI.create("https://gateway.example/v1")).build().endpoint());
        assertEquals(URI.create("https://api.openai.com/v1/chat/completions"),
                OpenAiSummarizer.builder().model("m").environment(name -> "").build().endpoint());
        IllegalStateException bad = assertThrows(IllegalStateException.class,
                () -> OpenAiSummarizer.builder().model("m")
                        .environment(name -> name.equals("OPENAI_BASE_URL") ? "localhost:11434"
                                : null).build());
        assertTrue(bad.getMessage().contains("$OPENAI_BASE_URL"), bad.getMessage());
        assertThrows(InsecureEndpointException.class, () -> OpenAiSummarizer.builder().model("m")
                .environment(name -> switch (name) {
                    case "OPENAI_BASE_URL" -> "http://192.0.2.7/v1";
                    case "OPENAI_API_KEY" -> "sk-env";
                    default -> null;
                }).build(), "the plain-HTTP rule holds for a URL from the environment too");
    }
}
