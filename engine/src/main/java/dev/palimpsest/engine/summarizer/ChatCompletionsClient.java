package dev.palimpsest.engine.summarizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.palimpsest.engine.SummarizerException;
import dev.palimpsest.engine.SummaryRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The HTTP side of an {@link OpenAiSummarizer}: the JDK's HTTP client and a JSON mapper, built
 * by the summarizer on its first call (both cost start-up time that a process which never
 * compacts should not pay), and the translation of every failure into a message in the user's
 * terms: what failed, at which URL, and what to do. No message names a Java class.
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
        // HTTP/1.1: local servers (Ollama, llama.cpp) do not speak h2c, and upgrade attempts
        // confuse some of them.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.connectTimeout()).build();
    }

    String summarize(SummaryRequest request) {
        byte[] body = requestBody(request);
        String convId = request.convId();
        for (int attempt = 0; ; attempt++) {
            HttpResponse<InputStream> response = send(convId, body);
            int status = response.statusCode();
            String text = readBody(convId, response);
            if (status == 200) {
                return contentOf(convId, text);
            }
            boolean retryable = status == 429 || status >= 500;
            if (!retryable || attempt >= settings.maxRetries()) {
                throw new SummarizerException(convId, statusFailure(status, attempt + 1, text,
                        response.headers().firstValue("Location")), null);
            }
            sleep(convId, settings.backoff(attempt,
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
            throw new SummarizerException(request.convId(), "cannot encode the summary request "
                    + "for " + url + " as JSON", e);
        }
    }

    private HttpResponse<InputStream> send(String convId, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(settings.endpoint())
                .timeout(settings.requestTimeout())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        settings.headers().forEach(request::header);
        settings.apiKey().ifPresent(key -> request.header("Authorization", "Bearer " + key));
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new SummarizerException(convId, sendFailure(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SummarizerException(convId, "interrupted while calling " + url
                    + ": the compaction was cancelled", e);
        }
    }

    private String readBody(String convId, HttpResponse<InputStream> response) {
        long limit = settings.maxResponseBytes();
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
            if (bytes.length > limit) {
                throw new SummarizerException(convId, "summarizer endpoint " + url
                        + " answered more than " + limit + " bytes: check that the base URL "
                        + "points at a chat-completions API", null);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (HttpTimeoutException e) {
            throw new SummarizerException(convId, "summarizer endpoint " + url + " did not "
                    + "finish its answer within " + seconds(settings.requestTimeout())
                    + ": the server may be overloaded; try again later", e);
        } catch (IOException e) {
            throw new SummarizerException(convId, "summarizer endpoint " + url + " closed the "
                    + "connection before its answer was complete: check the server's log, or "
                    + "try again", e);
        }
    }

    private String contentOf(String convId, String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException notJson) {
            // The parser's own message locates the error in Jackson's terms; the body says more.
            throw new SummarizerException(convId, "summarizer endpoint " + url + " answered "
                    + "HTTP 200 with something that is not JSON: check that the base URL points "
                    + "at an OpenAI-compatible API (it usually ends in /v1); the answer began: "
                    + excerpt(body), notJson);
        }
        JsonNode choice = root == null ? null : root.path("choices").path(0);
        JsonNode content = choice == null ? null : choice.path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new SummarizerException(convId, "summarizer endpoint " + url + " answered "
                    + "HTTP 200 without a chat completion (no choices[0].message.content): check "
                    + "that the base URL points at a chat-completions API; the answer began: "
                    + excerpt(body), null);
        }
        String summary = content.asText().strip();
        if (summary.isEmpty()) {
            boolean cutShort = "length".equals(choice.path("finish_reason").asText(""));
            throw new SummarizerException(convId, "summarizer endpoint " + url
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
            return "connecting to " + url + " timed out after "
                    + seconds(settings.connectTimeout()) + ": check that the host is reachable "
                    + "and that the base URL is right";
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

    private void sleep(String convId, Duration wait) {
        try {
            settings.sleeper().sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SummarizerException(convId, "interrupted while waiting to retry " + url
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
