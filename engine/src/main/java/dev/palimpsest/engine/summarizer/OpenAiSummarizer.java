package dev.palimpsest.engine.summarizer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.engine.SummarizerException;
import dev.palimpsest.engine.SummaryRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Summarizes through any OpenAI-compatible {@code /v1/chat/completions} endpoint: OpenAI itself,
 * Ollama, vLLM, the llama.cpp server, LM Studio and others.
 *
 * <p>Each call sends one request with a system prompt and a user message that carries the
 * previous summary and the evicted rounds, and returns the first choice's message content,
 * stripped. Answers with status 429 or 5xx are retried a bounded number of times with exponential
 * backoff (honouring {@code Retry-After}, capped); anything else that is not a usable answer
 * (another status, a timeout, malformed JSON, an empty answer) fails with a
 * {@link SummarizerException} whose message names the cause. Nothing but a successful answer's
 * content is ever returned.
 *
 * <p>Thread-safe: one instance shares one {@link HttpClient}.
 */
public final class OpenAiSummarizer implements Summarizer {
    /** The environment variable the API key is read from by default. */
    public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

    /** The base URL used when none is given: OpenAI's own API. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com/v1");

    /** The instructions sent as the system message. */
    static final String SYSTEM_PROMPT = "You maintain the running summary of a long conversation "
            + "between a user and an assistant. You receive the previous summary and the oldest "
            + "rounds, which are about to leave the conversation window. Write one updated "
            + "summary that merges both: keep every fact, decision, name, number, open question "
            + "and commitment that may matter later; drop small talk and repetition. Write in the "
            + "conversation's language, in plain prose or short bullet points, without preamble.";

    private static final int MAX_ERROR_BODY_CHARS = 200;

    private final URI endpoint;
    private final String model;
    private final Optional<String> apiKey;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final int maxOutputTokens;
    private final double temperature;
    private final long maxResponseBytes;
    private final Clock clock;
    private final Sleeper sleeper;
    private final HttpClient client;
    private final ObjectMapper json = new ObjectMapper();

    private OpenAiSummarizer(Builder b) {
        this.endpoint = endpointOf(b.baseUrl);
        this.model = b.model;
        this.apiKey = b.apiKey != null ? Optional.of(b.apiKey)
                : Optional.ofNullable(b.environment.apply(b.apiKeyEnv)).filter(k -> !k.isBlank());
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxOutputTokens = b.maxOutputTokens;
        this.temperature = b.temperature;
        this.maxResponseBytes = b.maxResponseBytes;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        // HTTP/1.1: local servers (Ollama, llama.cpp) do not speak h2c, and upgrade attempts
        // confuse some of them.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(b.connectTimeout).build();
    }

    /**
     * Starts a summarizer; {@link Builder#model(String)} must be set.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the URL requests go to: the base URL followed by {@code /chat/completions}.
     *
     * @return the endpoint
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Returns the model asked for.
     *
     * @return the model name
     */
    public String model() {
        return model;
    }

    @Override
    public String summarize(SummaryRequest request) {
        Objects.requireNonNull(request, "request");
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
            if (!retryable || attempt >= maxRetries) {
                throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                        + " answered " + status + (retryable ? " after " + (attempt + 1)
                        + " attempts" : "") + ": " + snippet(text), null);
            }
            sleep(convId, backoff(attempt, response.headers().firstValue("Retry-After")));
        }
    }

    /** Builds the JSON request body. */
    byte[] requestBody(SummaryRequest request) {
        ObjectNode root = json.createObjectNode();
        root.put("model", model);
        root.put("temperature", temperature);
        root.put("max_tokens", maxOutputTokens);
        root.put("stream", false);
        ArrayNode messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", SYSTEM_PROMPT);
        messages.addObject().put("role", "user").put("content", userPrompt(request));
        try {
            return json.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new SummarizerException(request.convId(),
                    "cannot encode the summarizer request: " + e.getOriginalMessage(), e);
        }
    }

    /** The user message: the previous summary, then the rounds to fold in. */
    static String userPrompt(SummaryRequest request) {
        StringBuilder text = new StringBuilder();
        text.append("Previous summary:\n");
        text.append(request.previousContext().isBlank() ? "(none yet)"
                : request.previousContext().strip());
        text.append("\n\nRounds to fold into the summary:\n");
        for (Round round : request.evictedRounds()) {
            text.append("\n[round ").append(round.seq()).append("]\nUser: ").append(round.user())
                    .append("\nAssistant: ").append(round.assistant()).append('\n');
        }
        text.append("\nWrite the updated summary.");
        return text.toString();
    }

    private HttpResponse<InputStream> send(String convId, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint)
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        apiKey.ifPresent(key -> request.header("Authorization", "Bearer " + key));
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                    + " timed out: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                    + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SummarizerException(convId, "interrupted while calling " + endpoint, e);
        }
    }

    private String readBody(String convId, HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8,
                    maxResponseBytes + 1));
            if (bytes.length > maxResponseBytes) {
                throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                        + " answered more than " + maxResponseBytes + " bytes", null);
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (HttpTimeoutException e) {
            throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                    + " timed out while answering: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new SummarizerException(convId, "reading the answer of " + endpoint
                    + " failed: " + e, e);
        }
    }

    private String contentOf(String convId, String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                    + " answered malformed JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode content = root == null ? null
                : root.path("choices").path(0).path("message").path("content");
        if (content == null || !content.isTextual()) {
            throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                    + " answered without choices[0].message.content: " + snippet(body), null);
        }
        String summary = content.asText().strip();
        if (summary.isEmpty()) {
            throw new SummarizerException(convId, "summarizer endpoint " + endpoint
                    + " answered an empty summary", null);
        }
        return summary;
    }

    /**
     * The wait before retry {@code attempt + 1}: {@code Retry-After} (seconds or an HTTP date)
     * when the server sent one, else {@code initialBackoff * 2^attempt}; capped at
     * {@code maxBackoff} either way.
     */
    Duration backoff(int attempt, Optional<String> retryAfter) {
        Optional<Duration> asked = retryAfter.flatMap(this::parseRetryAfter);
        Duration wait = asked.orElseGet(() -> initialBackoff.multipliedBy(1L << Math.min(attempt,
                20)));
        return wait.compareTo(maxBackoff) > 0 ? maxBackoff : wait;
    }

    private Optional<Duration> parseRetryAfter(String value) {
        String v = value.strip();
        try {
            long seconds = Long.parseLong(v);
            return Optional.of(Duration.ofSeconds(Math.max(0, Math.min(seconds, 86_400))));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration wait = Duration.between(clock.instant(), at);
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private void sleep(String convId, Duration wait) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SummarizerException(convId, "interrupted while waiting to retry "
                    + endpoint, e);
        }
    }

    private static String snippet(String body) {
        String line = body.replaceAll("\\s+", " ").strip();
        if (line.length() <= MAX_ERROR_BODY_CHARS) {
            return line.isEmpty() ? "(empty body)" : line;
        }
        int end = MAX_ERROR_BODY_CHARS;
        if (Character.isHighSurrogate(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end) + "...";
    }

    private static URI endpointOf(URI baseUrl) {
        String base = baseUrl.toString();
        if (base.endsWith("/chat/completions")) {
            return baseUrl;
        }
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + "/chat/completions");
    }

    @Override
    public String toString() {
        return "OpenAiSummarizer[" + endpoint + ", model=" + model + "]";
    }

    /** Waits between retries; tests inject one that records the waits instead. */
    @FunctionalInterface
    public interface Sleeper {
        /**
         * Waits.
         *
         * @param duration how long
         * @throws InterruptedException if interrupted while waiting
         */
        void sleep(Duration duration) throws InterruptedException;
    }

    /** Builds an {@link OpenAiSummarizer}. */
    public static final class Builder {
        private URI baseUrl = DEFAULT_BASE_URL;
        private String model;
        private String apiKey;
        private String apiKeyEnv = DEFAULT_API_KEY_ENV;
        private UnaryOperator<String> environment = System::getenv;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private int maxOutputTokens = 1024;
        private double temperature = 0.2;
        private long maxResponseBytes = 4L * 1024 * 1024;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());

        private Builder() {
        }

        /**
         * Sets the API's base URL, up to and including the version segment, for example
         * {@code http://localhost:11434/v1}; {@code /chat/completions} is appended (a URL that
         * already ends with it is used as is). Default: {@link #DEFAULT_BASE_URL}.
         *
         * @param value an absolute http or https URL
         * @return this builder
         * @throws IllegalArgumentException if the URL is not absolute http(s)
         */
        public Builder baseUrl(URI value) {
            Objects.requireNonNull(value, "baseUrl");
            String scheme = value.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
                    || value.getHost() == null) {
                throw new IllegalArgumentException(
                        "baseUrl must be an absolute http or https URL, was " + value);
            }
            this.baseUrl = value;
            return this;
        }

        /**
         * Sets the model to ask for (required), for example {@code gpt-4o-mini} or
         * {@code llama3.1:8b}.
         *
         * @param value the model name, not blank
         * @return this builder
         */
        public Builder model(String value) {
            Objects.requireNonNull(value, "model");
            if (value.isBlank()) {
                throw new IllegalArgumentException("model must not be blank");
            }
            this.model = value;
            return this;
        }

        /**
         * Sets the API key, sent as {@code Authorization: Bearer <key>}. Without it, the key is
         * read from the environment variable set by {@link #apiKeyFromEnv(String)}, and no
         * {@code Authorization} header is sent when that is unset (local servers need none).
         *
         * @param value the key
         * @return this builder
         */
        public Builder apiKey(String value) {
            this.apiKey = Objects.requireNonNull(value, "apiKey");
            return this;
        }

        /**
         * Sets the environment variable the API key is read from when none is given. Default:
         * {@link #DEFAULT_API_KEY_ENV}.
         *
         * @param variable the variable's name
         * @return this builder
         */
        public Builder apiKeyFromEnv(String variable) {
            this.apiKeyEnv = Objects.requireNonNull(variable, "variable");
            return this;
        }

        /** Replaces the environment lookup; for tests. */
        Builder environment(UnaryOperator<String> value) {
            this.environment = Objects.requireNonNull(value, "environment");
            return this;
        }

        /**
         * Sets how long connecting may take. Default: 10 s.
         *
         * @param value positive
         * @return this builder
         */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /**
         * Sets how long one request may take until the answer's headers arrive. Default: 60 s.
         *
         * @param value positive
         * @return this builder
         */
        public Builder requestTimeout(Duration value) {
            this.requestTimeout = positive(value, "requestTimeout");
            return this;
        }

        /**
         * Sets how many times an answer with status 429 or 5xx is retried. Default: 3.
         *
         * @param value 0 to 10
         * @return this builder
         */
        public Builder maxRetries(int value) {
            if (value < 0 || value > 10) {
                throw new IllegalArgumentException("maxRetries must be within [0, 10], was "
                        + value);
            }
            this.maxRetries = value;
            return this;
        }

        /**
         * Sets the first wait between retries, doubled on each further retry. Default: 500 ms.
         *
         * @param value zero or positive
         * @return this builder
         */
        public Builder initialBackoff(Duration value) {
            Objects.requireNonNull(value, "initialBackoff");
            if (value.isNegative()) {
                throw new IllegalArgumentException("initialBackoff must not be negative, was "
                        + value);
            }
            this.initialBackoff = value;
            return this;
        }

        /**
         * Sets the longest wait between retries, also the cap on a server's
         * {@code Retry-After}. Default: 30 s.
         *
         * @param value positive
         * @return this builder
         */
        public Builder maxBackoff(Duration value) {
            this.maxBackoff = positive(value, "maxBackoff");
            return this;
        }

        /**
         * Sets {@code max_tokens}, the longest summary the model may write. Default: 1,024.
         *
         * @param value at least 16
         * @return this builder
         */
        public Builder maxOutputTokens(int value) {
            if (value < 16) {
                throw new IllegalArgumentException("maxOutputTokens must be >= 16, was " + value);
            }
            this.maxOutputTokens = value;
            return this;
        }

        /**
         * Sets the sampling temperature. Default: 0.2, for summaries that stay close to the text.
         *
         * @param value within [0, 2]
         * @return this builder
         */
        public Builder temperature(double value) {
            if (!(value >= 0 && value <= 2)) {
                throw new IllegalArgumentException("temperature must be within [0, 2], was "
                        + value);
            }
            this.temperature = value;
            return this;
        }

        /**
         * Sets the largest answer read, in bytes. Default: 4 MiB.
         *
         * @param value at least 1,024
         * @return this builder
         */
        public Builder maxResponseBytes(long value) {
            if (value < 1024) {
                throw new IllegalArgumentException("maxResponseBytes must be >= 1024, was "
                        + value);
            }
            this.maxResponseBytes = value;
            return this;
        }

        /**
         * Sets the clock that {@code Retry-After} dates are compared with.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Sets how the summarizer waits between retries. Default: {@link Thread#sleep}.
         *
         * @param value the sleeper
         * @return this builder
         */
        public Builder sleeper(Sleeper value) {
            this.sleeper = Objects.requireNonNull(value, "sleeper");
            return this;
        }

        /**
         * Builds the summarizer.
         *
         * @return the summarizer
         * @throws IllegalStateException if no model was set
         */
        public OpenAiSummarizer build() {
            if (model == null) {
                throw new IllegalStateException("OpenAiSummarizer needs a model: call model(...)");
            }
            return new OpenAiSummarizer(this);
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }
    }
}
