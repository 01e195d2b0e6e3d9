package dev.palimpsest.summarizer.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.palimpsest.engine.AppendOutcome;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible summarizer against a loopback server the test starts. */
class OpenAiSummarizerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Rounds 3 and 4 (messages 5 to 8), after a compaction that folded rounds 1 and 2. */
    private static final SummaryRequest REQUEST = new SummaryRequest("conv-7",
            "The user wants a refund.", List.of(
                    Rounds.exchange(3, 5, "Where is invoice 42?", "It was sent on Monday."),
                    Rounds.exchange(4, 7, "Thanks", "You're welcome")));

    private HttpServer server;
    private ExecutorService handlers;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final CountDownLatch stopping = new CountDownLatch(1);
    /** Counted down by each request the server receives, before it answers. */
    private final CountDownLatch received = new CountDownLatch(1);

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
            received.countDown();
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
    void theRequestCarriesTheModelTheKeyAndAPromptWithTheSummaryAndTheRounds()
            throws InterruptedException {
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
        assertTrue(prompt.contains("[round 4]\nUser: Thanks\nAssistant: You're welcome\n"),
                prompt);
    }

    @Test
    void roundsWithSystemMessagesToolCallsAndToolResultsAreRenderedLineByLine()
            throws InterruptedException {
        SummaryRequest request = new SummaryRequest("conv-t", "", List.of(
                Rounds.round(1, 1, Message.system("Answer in French."),
                        Message.user("Weather in Paris?"),
                        Message.assistant("", List.of(
                                new ToolCall("call_1", "weather", "{\"city\":\"Paris\"}"))),
                        Message.tool("call_1", "weather", "18 C"),
                        Message.assistant("18 C and cloudy.")),
                Rounds.round(2, 6, Message.user("And Rome?"),
                        Message.assistant("Let me check.", List.of(
                                new ToolCall("call_2", "weather", "{\"city\":\"Rome\"}"),
                                new ToolCall("call_3", "news", "{\"city\": \"Rome\"}"))),
                        Message.tool("call_2", "weather", "21 C"),
                        Message.tool("call_3", "news", "No news."),
                        Message.assistant("21 C."))));
        answers.add(Answer.ok("Paris 18 C, Rome 21 C."));
        assertEquals("Paris 18 C, Rome 21 C.", summarizer().build().summarize(request));
        String prompt = requests.get(0).body().get("messages").get(1).get("content").asText();
        assertEquals("""
                Previous summary:
                (none yet)

                Rounds to fold into the summary:

                [round 1]
                System: Answer in French.
                User: Weather in Paris?
                Assistant called weather({"city":"Paris"})
                Tool weather: 18 C
                Assistant: 18 C and cloudy.

                [round 2]
                User: And Rome?
                Assistant: Let me check.
                Assistant called weather({"city":"Rome"})
                Assistant called news({"city": "Rome"})
                Tool weather: 21 C
                Tool news: No news.
                Assistant: 21 C.

                Write the updated summary.""", prompt);
        String system = requests.get(0).body().get("messages").get(0).get("content").asText();
        assertTrue(system.contains("tool calls") && system.contains("results"), system);
    }

    @Test
    void withoutAKeyNoAuthorizationHeaderIsSentAndAGivenKeyWins() throws InterruptedException {
        answers.add(Answer.ok("one"));
        answers.add(Answer.ok("two"));
        summarizer().environment(name -> null).build().summarize(REQUEST);
        summarizer().apiKey("sk-given").build().summarize(REQUEST);
        assertEquals(null, requests.get(0).headers().get("Authorization"));
        assertEquals(List.of("Bearer sk-given"), requests.get(1).headers().get("Authorization"));
    }

    @Test
    void aTooManyRequestsAnswerIsRetriedAfterItsRetryAfterWithinTheCap() throws InterruptedException {
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
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> summarizer().maxRetries(2).initialBackoff(Duration.ofMillis(100)).build()
                        .summarize(REQUEST));
        assertTrue(e.getMessage().contains("answered HTTP 500 after 3 attempts"), e.getMessage());
        assertEquals(3, requests.size());
        assertEquals(List.of(Duration.ofMillis(100), Duration.ofMillis(200)), sleeps);
        assertEquals(Optional.of("conv-7"), e.convId());
        assertEquals(FailureKind.SUMMARIZER, e.kind());
    }

    @Test
    void aClientErrorIsNotRetried() {
        answers.add(Answer.of(401, "{\"error\":\"bad key\"}"));
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> summarizer().build().summarize(REQUEST));
        assertTrue(e.getMessage().contains("answered HTTP 401: check the API key"),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("the server said: \"bad key\""), e.getMessage());
        assertEquals(FailureKind.SUMMARIZER, e.kind());
        assertEquals(1, requests.size());
        assertEquals(List.of(), sleeps);
    }

    @Test
    void anAnswerThatTakesTooLongFailsWithATimeout() {
        answers.add(new Answer(200, Map.of(), "", true));
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> summarizer().requestTimeout(Duration.ofMillis(300)).build()
                        .summarize(REQUEST));
        assertTrue(e.getMessage().contains("did not answer within 300 ms"), e.getMessage());
    }

    @Test
    void malformedJsonIsAFailure() {
        answers.add(Answer.of(200, "{\"choices\": [ {\"message\": "));
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> summarizer().build().summarize(REQUEST));
        assertTrue(e.getMessage().contains("not JSON"), e.getMessage());
    }

    @Test
    void anEmptyOrMissingAnswerIsAFailure() {
        answers.add(Answer.ok("   \n "));
        answers.add(Answer.of(200, "{\"choices\": []}"));
        answers.add(Answer.of(200, "{\"choices\": [{\"message\": {\"content\": null}}]}"));
        OpenAiSummarizer summarizer = summarizer().build();
        PalimpsestException empty = assertThrows(PalimpsestException.class,
                () -> summarizer.summarize(REQUEST));
        assertTrue(empty.getMessage().contains("empty summary"), empty.getMessage());
        assertEquals(FailureKind.SUMMARIZER, empty.kind());
        for (int i = 0; i < 2; i++) {
            PalimpsestException missing = assertThrows(PalimpsestException.class,
                    () -> summarizer.summarize(REQUEST));
            assertTrue(missing.getMessage().contains("no choices[0].message.content"),
                    missing.getMessage());
        }
    }

    /** The outcome of a compaction that ran in the appending thread (the engine's default). */
    private static CompactionOutcome outcome(AppendOutcome appended) {
        return appended.compaction().outcome().orElseThrow();
    }

    @Test
    void anEngineKeepsTheRoundsVerbatimAndNeverStoresTheErrorText() {
        answers.add(Answer.of(400, "{\"error\":\"ERROR-TEXT-FROM-SERVER\"}"));
        answers.add(Answer.ok("Summary of rounds 1 to 4."));
        try (var store = new InMemoryConversationStore();
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(6, 3, 1_000_000))
                     .summarizer(summarizer().build()).build()) {
            AppendOutcome result = null;
            for (int seq = 1; seq <= 7; seq++) {
                result = engine.appendRound("c", "u" + seq, "a" + seq);
            }
            assertEquals(CompactionOutcome.Status.FAILED, outcome(result).status());
            PalimpsestException failure = outcome(result).failure().orElseThrow();
            assertEquals(FailureKind.SUMMARIZER, failure.kind());
            assertTrue(failure.getMessage().contains("ERROR-TEXT-FROM-SERVER"),
                    failure.getMessage());
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals("", state.compressedContext());
            assertEquals(1, state.counters().compactionFailures());
            result = engine.appendRound("c", "u8", "a8");
            assertEquals(CompactionOutcome.committed(5), outcome(result));
            assertEquals("Summary of rounds 1 to 4.",
                    engine.state("c").orElseThrow().compressedContext());
            String prompt = requests.get(1).body().get("messages").get(1).get("content")
                    .asText();
            assertTrue(prompt.contains("[round 5]\nUser: u5\nAssistant: a5\n"), prompt);
            assertFalse(prompt.contains("[round 6]"), prompt);
        }
    }

    @Test
    void theEngineBoundsAHangingEndpointWithItsSummarizerTimeout() {
        answers.add(new Answer(200, Map.of(), "", true));
        try (var store = new InMemoryConversationStore();
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(6, 3, 1_000_000))
                     .summarizer(summarizer().requestTimeout(Duration.ofSeconds(60)).build())
                     .summarizerTimeout(Duration.ofMillis(300)).build()) {
            AppendOutcome result = null;
            for (int seq = 1; seq <= 7; seq++) {
                result = engine.appendRound("c", "u" + seq, "a" + seq);
            }
            assertEquals(CompactionOutcome.Status.FAILED, outcome(result).status());
            PalimpsestException failure = outcome(result).failure().orElseThrow();
            assertEquals(FailureKind.SUMMARIZER, failure.kind());
            assertTrue(failure.getMessage().contains("timed out after"), failure.getMessage());
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals(7, state.recentRounds().size());
            assertEquals(1, state.counters().compactionFailures());
        }
    }

    /** What a {@link #summarizeInThread} call ended with. */
    private record Ended(Throwable thrown, boolean interruptFlagAfterwards, Duration took) {
    }

    /**
     * Starts {@code summarizer} on a thread of its own, interrupts that thread once
     * {@code ready} holds, and returns how the call ended; bounded to 20 s in all.
     */
    private static Ended summarizeInThread(OpenAiSummarizer summarizer, SummaryRequest request,
                                           ReadyCheck ready) throws InterruptedException {
        AtomicReference<Ended> ended = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            long start = System.nanoTime();
            Throwable thrown = null;
            try {
                summarizer.summarize(request);
            } catch (Throwable e) {
                thrown = e;
            }
            ended.set(new Ended(thrown, Thread.currentThread().isInterrupted(),
                    Duration.ofNanos(System.nanoTime() - start)));
        }, "summarize-then-interrupted");
        caller.setDaemon(true);
        caller.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ready.test(caller)) {
            assertTrue(System.nanoTime() < deadline, "the call never reached the point to "
                    + "interrupt; thread state " + caller.getState());
            Thread.sleep(10);
        }
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(10));
        assertFalse(caller.isAlive(), "the interrupted call did not end");
        return ended.get();
    }

    /** When to interrupt the calling thread. */
    @FunctionalInterface
    private interface ReadyCheck {
        boolean test(Thread caller) throws InterruptedException;
    }

    /** Tells whether {@code caller} is in {@code method} of the summarizer's HTTP side. */
    /** Parked on the exchange's future, which waits at most the request timeout. */
    private static boolean waiting(Thread caller) {
        Thread.State state = caller.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    private static boolean inClient(Thread caller, String method) {
        for (StackTraceElement frame : caller.getStackTrace()) {
            if (frame.getClassName().equals(ChatCompletionsClient.class.getName())
                    && frame.getMethodName().equals(method)) {
                return true;
            }
        }
        return false;
    }

    private static void assertInterrupted(Ended ended, String messageStart) {
        assertTrue(ended.thrown() instanceof InterruptedException,
                "expected an InterruptedException, got " + ended.thrown());
        assertTrue(ended.thrown().getMessage().startsWith(messageStart),
                ended.thrown().getMessage());
        assertTrue(ended.thrown().getMessage().endsWith(": the compaction was cancelled"),
                ended.thrown().getMessage());
        // The exception carries the interrupt, as Thread.sleep's does: the flag is clear.
        assertFalse(ended.interruptFlagAfterwards(), "the interrupt flag was set again");
        assertTrue(ended.took().compareTo(Duration.ofSeconds(10)) < 0,
                "the call outlived the interrupt: " + ended.took());
    }

    @Test
    void anInterruptWhileWaitingForTheAnswerEndsTheCallWithInterruptedException()
            throws InterruptedException {
        answers.add(new Answer(200, Map.of(), "", true));
        OpenAiSummarizer summarizer = summarizer().requestTimeout(Duration.ofSeconds(30)).build();
        Ended ended = summarizeInThread(summarizer, REQUEST,
                caller -> received.await(0, TimeUnit.SECONDS)
                        && waiting(caller) && inClient(caller, "send"));
        assertInterrupted(ended, "interrupted while calling " + baseUrl() + "/chat/completions");
        assertTrue(ended.thrown().getCause() instanceof InterruptedException,
                String.valueOf(ended.thrown().getCause()));
        assertEquals(1, requests.size());
    }

    @Test
    void anInterruptWhileReadingACutAnswerEndsTheCallWithInterruptedException()
            throws IOException, InterruptedException {
        CountDownLatch headersSent = new CountDownLatch(1);
        AtomicLong headersSentAt = new AtomicLong();
        CountDownLatch release = new CountDownLatch(1);
        try (RawLoopbackServer stalling = new RawLoopbackServer(connection -> {
            RawLoopbackServer.readRequest(connection.getInputStream());
            connection.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Type: "
                    + "application/json\r\nContent-Length: 100\r\n\r\n{\"cho")
                    .getBytes(StandardCharsets.US_ASCII));
            connection.getOutputStream().flush();
            headersSentAt.set(System.nanoTime());
            headersSent.countDown();
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            OpenAiSummarizer summarizer = OpenAiSummarizer.builder()
                    .baseUrl(stalling.baseUrl("http")).model("test-model")
                    .environment(name -> null).maxRetries(0)
                    .requestTimeout(Duration.ofSeconds(30)).build();
            // The head has arrived and the caller waits for the rest of the body; the JDK's
            // body stream would swallow the interrupt and wait on.
            Ended ended = summarizeInThread(summarizer, REQUEST,
                    caller -> headersSent.await(0, TimeUnit.SECONDS)
                            && System.nanoTime() - headersSentAt.get() > 200_000_000L
                            && waiting(caller)
                            && inClient(caller, "send"));
            release.countDown();
            assertInterrupted(ended, "interrupted while calling " + stalling.baseUrl("http")
                    + "/chat/completions");
        } finally {
            release.countDown();
        }
    }

    @Test
    void anInterruptWhileWaitingToRetryEndsTheCallWithInterruptedException()
            throws InterruptedException {
        answers.add(new Answer(503, Map.of("Retry-After", "30"), "{\"error\":\"busy\"}",
                false));
        // The real sleeper, Thread.sleep: no recording sleeper here.
        OpenAiSummarizer summarizer = OpenAiSummarizer.builder().baseUrl(baseUrl())
                .model("test-model").environment(name -> null).maxRetries(3)
                .maxBackoff(Duration.ofSeconds(30)).build();
        Ended ended = summarizeInThread(summarizer, REQUEST,
                caller -> received.await(0, TimeUnit.SECONDS)
                        && caller.getState() == Thread.State.TIMED_WAITING
                        && inClient(caller, "sleep"));
        assertInterrupted(ended, "interrupted while waiting to retry " + baseUrl()
                + "/chat/completions");
        assertEquals(1, requests.size(), "no retry after the interrupt");
    }

    @Test
    void aThreadInterruptedBeforeTheCallGetsInterruptedExceptionAndNoSummary() {
        answers.add(Answer.ok("never returned"));
        OpenAiSummarizer summarizer = summarizer().build();
        Thread.currentThread().interrupt();
        try {
            InterruptedException e = assertThrows(InterruptedException.class,
                    () -> summarizer.summarize(REQUEST));
            assertTrue(e.getMessage().startsWith("interrupted while calling"), e.getMessage());
        } finally {
            assertFalse(Thread.interrupted(), "the interrupt flag was set again");
        }
    }

    @Test
    void aGivenHttpClientIsUsedWithItsExecutorAndLeftOpen() throws Exception {
        assertThrows(NullPointerException.class, () -> OpenAiSummarizer.builder().httpClient(null));
        AtomicInteger tasks = new AtomicInteger();
        ThreadFactory named = body -> {
            Thread thread = new Thread(body, "embedders-http");
            thread.setDaemon(true);
            return thread;
        };
        ExecutorService own = Executors.newFixedThreadPool(2, named);
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .executor(task -> {
                        tasks.incrementAndGet();
                        own.execute(task);
                    }).build();
            answers.add(Answer.ok("through the embedder's client"));
            answers.add(Answer.ok("again"));
            OpenAiSummarizer summarizer = summarizer().httpClient(client).build();
            assertEquals("through the embedder's client", summarizer.summarize(REQUEST));
            assertTrue(tasks.get() > 0, "the client's executor ran none of the call's tasks");
            assertEquals(List.of("Bearer sk-test"), requests.get(0).headers().get("Authorization"));

            // The client is still the embedder's: open, its executor running, usable by others.
            assertFalse(own.isShutdown());
            HttpResponse<String> direct = client.send(HttpRequest.newBuilder(
                            URI.create(baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, direct.statusCode());
            assertEquals(2, requests.size());
        } finally {
            own.shutdownNow();
            assertTrue(own.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aGivenHttpClientsProxyCarriesTheRequestToAHostTheTestCannotReach()
            throws InterruptedException {
        // The base URL names a host that does not exist; only the given client's proxy (this
        // test's server) can carry the request, so an answer proves which client sent it.
        HttpClient proxied = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .proxy(ProxySelector.of(server.getAddress())).build();
        answers.add(Answer.ok("via the proxy"));
        OpenAiSummarizer summarizer = OpenAiSummarizer.builder()
                .baseUrl(URI.create("http://summarizer.invalid:8080/v1")).model("test-model")
                .environment(name -> null).httpClient(proxied)
                .connectTimeout(Duration.ofMillis(1)).build();
        assertEquals("via the proxy", summarizer.summarize(REQUEST));
        assertEquals("/v1/chat/completions", requests.get(0).path());
        assertEquals(List.of("summarizer.invalid:8080"), requests.get(0).headers().get("Host"));
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
    void aQueryStringInTheBaseUrlStaysAfterThePath() throws InterruptedException {
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
    void aReasoningModelCanBeSentNoTemperature() throws InterruptedException {
        answers.add(Answer.ok("summary"));
        answers.add(Answer.ok("summary"));
        summarizer().build().summarize(REQUEST);
        assertEquals(0.2, requests.get(0).body().get("temperature").asDouble());
        summarizer().temperature(0.7).defaultTemperature().build().summarize(REQUEST);
        assertFalse(requests.get(1).body().has("temperature"), "the model's own default");
    }

    @Test
    void thePromptTheHeadersAndTheTokenLimitParameterAreConfigurable() throws InterruptedException {
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
