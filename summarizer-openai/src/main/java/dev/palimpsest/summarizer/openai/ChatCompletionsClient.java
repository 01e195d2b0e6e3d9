package dev.palimpsest.summarizer.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * The HTTP side of an {@link OpenAiSummarizer}: the JDK's HTTP client (the one given to the
 * builder, else one of its own) and a JSON mapper, built by the summarizer on its first call
 * (both cost start-up time that a process which never compacts should not pay), and the
 * translation of every failure into a {@link PalimpsestException} of kind
 * {@link FailureKind#SUMMARIZER} with a message in the user's terms: what failed, at which URL,
 * and what to do. No message names a Java class. An interrupt is not a failure: it leaves as an
 * {@link InterruptedException}.
 */
final class ChatCompletionsClient {
    /** How much of a server's error text a message quotes. */
    private static final int MAX_EXCERPT_CHARS = 160;

    private final OpenAiSummarizer settings;
    private final String url;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    ChatCompletionsClient(OpenAiSummarizer settings) {
        this.settings = settings;
        this.url = settings.shownEndpoint();
        // A given client is the caller's: used as it is, never closed. Otherwise HTTP/1.1:
        // local servers (Ollama, llama.cpp) do not speak h2c, and upgrade attempts confuse some
        // of them.
        this.http = settings.givenHttpClient().orElseGet(() -> HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(settings.connectTimeout())
                .build());
    }

    String summarize(SummaryRequest request) throws InterruptedException {
        byte[] body = requestBody(request);
        String convId = request.convId();
        for (int attempt = 0; ; attempt++) {
            HttpResponse<byte[]> response = send(convId, body);
            int status = response.statusCode();
            String text = text(convId, response.body());
            if (status == 200) {
                return contentOf(convId, text);
            }
            boolean retryable = status == 429 || status >= 500;
            if (!retryable || attempt >= settings.maxRetries()) {
                throw failure(convId, statusFailure(status, attempt + 1, text,
                        response.headers().firstValue("Location")), null);
            }
            sleep(settings.backoff(attempt,
                    response.headers().firstValue("Retry-After")));
        }
    }

    /** Builds the JSON request body. */
    byte[] requestBody(SummaryRequest request) {
        ObjectNode root = json.createObjectNode();
        root.put("model", settings.model());
        settings.temperature().ifPresent(t -> root.put("temperature", t));
        root.put(settings.tokenLimitParameter().fieldName(), settings.maxOutputTokens());
        root.put("stream", false);
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", settings.systemPrompt());
        messages.addObject().put("role", "user")
                .put("content", OpenAiSummarizer.userPrompt(request));
        try {
            return json.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw failure(request.convId(), "cannot encode the summary request "
                    + "for " + url + " as JSON", e);
        }
    }

    /**
     * Sends the request and reads the whole answer, at most {@code maxResponseBytes + 1} bytes
     * of its body, within the request timeout. The body is read into the exchange's future,
     * which an interrupt or the timeout ends, never in a stream that waits on its own: the JDK's
     * body stream swallows interrupts, so a server that stalls in the middle of its answer would
     * pin the thread.
     */
    private HttpResponse<byte[]> send(String convId, byte[] body) throws InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.endpoint())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        settings.headers().forEach(request::header);
        settings.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
        int cap = (int) Math.min(Integer.MAX_VALUE - 8, settings.maxResponseBytes() + 1);
        AtomicBoolean headArrived = new AtomicBoolean();
        // The request timeout bounds the head only; the whole exchange gets the same bound here,
        // so a server that stalls in the middle of its answer cannot pin a caller that uses the
        // summarizer without the engine's own timeout.
        CompletableFuture<HttpResponse<byte[]>> exchange = http.sendAsync(request.build(),
                head -> {
                    headArrived.set(true);
                    return new CappedBody(cap);
                });
        try {
            return exchange.get(settings.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true);
            if (headArrived.get()) {
                throw failure(convId, bodyFailure(new HttpTimeoutException("body")), e);
            }
            throw failure(convId, sendFailure(new HttpTimeoutException("request timed out")), e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            IOException io = cause instanceof IOException ? (IOException) cause
                    : new IOException(cause);
            // The client may report an interrupt as an I/O failure; it is still an interrupt.
            throwIfInterrupted(io);
            throw failure(convId, headArrived.get() ? bodyFailure(io) : sendFailure(io), io);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            // The exception is the signal: the interrupt flag stays clear, as Thread.sleep and
            // HttpClient.send leave it.
            throw interrupted("interrupted while calling " + url
                    + ": the compaction was cancelled", e);
        }
    }

    /** The body as text, or a failure if it is larger than {@code maxResponseBytes}. */
    private String text(String convId, byte[] bytes) {
        long limit = settings.maxResponseBytes();
        if (bytes.length > limit) {
            throw failure(convId, "summarizer endpoint " + url
                    + " answered more than " + limit + " bytes: check that the base URL "
                    + "points at a chat-completions API", null);
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Says what a failure after the answer's head arrived means. */
    private String bodyFailure(IOException e) {
        if (e instanceof HttpTimeoutException) {
            return "summarizer endpoint " + url + " did not finish its answer within "
                    + seconds(settings.requestTimeout())
                    + ": the server may be overloaded; try again later";
        }
        return "summarizer endpoint " + url + " closed the connection before its answer was "
                + "complete: check the server's log, or try again";
    }

    /**
     * Turns an I/O failure that the calling thread's interrupt caused (its flag is set) into an
     * {@link InterruptedException}, clearing the flag as the exception carries the interrupt.
     */
    private void throwIfInterrupted(IOException e) throws InterruptedException {
        if (Thread.interrupted()) {
            throw interrupted("interrupted while calling " + url
                    + ": the compaction was cancelled", e);
        }
    }

    private static InterruptedException interrupted(String message, Exception cause) {
        InterruptedException e = new InterruptedException(message);
        e.initCause(cause);
        return e;
    }

    private static PalimpsestException failure(String convId, String message, Throwable cause) {
        return new PalimpsestException(FailureKind.SUMMARIZER, convId, message, cause);
    }

    /**
     * Collects an answer's body up to {@code cap} bytes; once it holds that many it completes
     * and cancels the rest, so that a huge answer costs at most {@code cap} bytes of memory.
     */
    private static final class CappedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int cap;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private Flow.Subscription subscription;

        CappedBody(int cap) {
            this.cap = cap;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription value) {
            subscription = value;
            value.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            if (result.isDone()) {
                return; // cancelled: what still arrives is dropped
            }
            for (ByteBuffer item : items) {
                int take = Math.min(item.remaining(), cap - bytes.size());
                byte[] chunk = new byte[take];
                item.get(chunk);
                bytes.write(chunk, 0, take);
                if (bytes.size() >= cap) {
                    result.complete(bytes.toByteArray());
                    subscription.cancel();
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable failure) {
            result.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }

    private String contentOf(String convId, String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException notJson) {
            // The parser's own message locates the error in Jackson's terms; the body says more.
            throw failure(convId, "summarizer endpoint " + url + " answered "
                    + "HTTP 200 with something that is not JSON: check that the base URL points "
                    + "at an OpenAI-compatible API (it usually ends in /v1); the answer began: "
                    + excerpt(body), notJson);
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        JsonNode content = choice == null ? null : choice.path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw failure(convId, "summarizer endpoint " + url + " answered "
                    + "HTTP 200 without a chat completion (no choices[0].message.content): check "
                    + "that the base URL points at a chat-completions API; the answer began: "
                    + excerpt(body), null);
        }
        String summary = content.asText().strip();
        if (summary.isEmpty()) {
            boolean cutShort = "length".equals(choice.path("finish_reason").asText(""));
            throw failure(convId, "summarizer endpoint " + url
                    + " answered an empty summary" + (cutShort
                    ? ": the model ran out of output tokens (finish_reason \"length\"; reasoning "
                    + "models spend them on thinking): raise the output token limit"
                    : ": try again, or use another model"), null);
        }
        return summary;
    }

    /** Says what a failed {@code send} means, from the failure's type, never its class name. */
    String sendFailure(IOException e) {
        if (e instanceof HttpConnectTimeoutException) {
            // A given client connects within its own timeout, if it has one.
            Optional<Duration> limit = settings.givenHttpClient().isPresent()
                    ? http.connectTimeout() : Optional.of(settings.connectTimeout());
            return "connecting to " + url + " timed out"
                    + limit.map(d -> " after " + seconds(d)).orElse("")
                    + ": check that the host is reachable and that the base URL is right";
        }
        if (e instanceof HttpTimeoutException) {
            return "summarizer endpoint " + url + " did not answer within "
                    + seconds(settings.requestTimeout()) + ": the server may be overloaded, or "
                    + "still loading the model; try again later";
        }
        if (causedBy(e, UnresolvedAddressException.class)
                || causedBy(e, UnknownHostException.class)) {
            return "cannot resolve the host name '" + settings.endpoint().getHost() + "' of "
                    + url + ": check the base URL's host name and the network's name service";
        }
        if (causedBy(e, CertificateException.class) || causedBy(e, CertPathBuilderException.class)
                || causedBy(e, CertPathValidatorException.class)) {
            return "the TLS certificate of " + url + " is not trusted (self-signed, expired, or "
                    + "issued for another name): check the URL, or add the certificate's "
                    + "authority to the Java trust store";
        }
        SSLException tls = cause(e, SSLException.class);
        if (tls != null) {
            String message = String.valueOf(tls.getMessage()).toLowerCase(Locale.ROOT);
            if (message.contains("plaintext") || message.contains("unrecognized ssl message")) {
                return "summarizer endpoint " + url + " does not speak TLS: use an http:// URL "
                        + "for a plain HTTP server";
            }
            return "the TLS handshake with " + url + " failed: check that the server speaks "
                    + "TLS 1.2 or later and that the URL's scheme (https://) is right";
        }
        if (causedBy(e, NoRouteToHostException.class)) {
            return "no route to the host of " + url + ": check the network and the base URL";
        }
        if (causedBy(e, ConnectException.class)) {
            return "connection refused by " + url + ": check that the server is running and "
                    + "listening there, and that the base URL is right";
        }
        return "summarizer endpoint " + url + " closed the connection without answering: "
                + "check that it is an HTTP server (https:// for TLS) and look at its log";
    }

    private String statusFailure(int status, int attempts, String body,
                                 Optional<String> location) {
        String advice;
        if (status == 401 || status == 403) {
            advice = "check the API key, and that it may use model '" + settings.model() + "'";
        } else if (status == 404) {
            advice = "check the base URL (it usually ends in /v1) and the model name '"
                    + settings.model() + "'";
        } else if (status == 413) {
            advice = "the request is too large for the server: compact more often (fewer "
                    + "rounds per compaction)";
        } else if (status == 429) {
            advice = "the server is rate limiting: try again later";
        } else if (status >= 500) {
            advice = "the server failed: check its log, or try again later";
        } else if (status >= 300 && status < 400) {
            advice = "the server redirects" + location.map(to -> " to " + excerpt(to)).orElse("")
                    + ", and redirects are not followed (the key would go along): use the final "
                    + "URL as the base URL";
        } else if (body.contains("max_completion_tokens")) {
            advice = "the model wants the token-limit parameter max_completion_tokens";
        } else if (status >= 400) {
            advice = "the server rejected the request: check the model name and the options";
        } else {
            advice = "a chat-completions API answers 200: check the base URL";
        }
        return "summarizer endpoint " + url + " answered HTTP " + status
                + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": " + advice
                + "; the server said: " + errorText(body);
    }

    /**
     * The error text of an answer: {@code error.message} (OpenAI, vLLM, llama.cpp), a string
     * {@code error} (Ollama), {@code message} or {@code detail}, else the body's start.
     */
    private String errorText(String body) {
        try {
            JsonNode root = json.readTree(body);
            if (root != null) {
                for (JsonNode candidate : new JsonNode[] {root.path("error").path("message"),
                        root.path("error"), root.path("message"), root.path("detail")}) {
                    if (candidate.isTextual() && !candidate.asText().isBlank()) {
                        return excerpt(candidate.asText());
                    }
                }
            }
        } catch (JsonProcessingException notJson) {
            // Not JSON: quote the body as it is.
        }
        return excerpt(body);
    }

    private void sleep(Duration wait) throws InterruptedException {
        try {
            settings.sleeper().sleep(wait);
        } catch (InterruptedException e) {
            throw interrupted("interrupted while waiting to retry " + url
                    + ": the compaction was cancelled", e);
        }
    }

    /** One line of at most {@link #MAX_EXCERPT_CHARS}, in quotes; "(empty)" for nothing. */
    static String excerpt(String text) {
        String line = text.replaceAll("\\s+", " ").strip();
        if (line.isEmpty()) {
            return "(an empty body)";
        }
        if (line.length() > MAX_EXCERPT_CHARS) {
            int end = MAX_EXCERPT_CHARS;
            if (Character.isHighSurrogate(line.charAt(end - 1))) {
                end--;
            }
            line = line.substring(0, end) + "...";
        }
        return "\"" + line + "\"";
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        return cause(e, type) != null;
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
