package dev.palimpsest.summarizer.openai;

import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Summarizes through any OpenAI-compatible {@code /v1/chat/completions} endpoint: OpenAI itself,
 * Ollama, vLLM, the llama.cpp server, LM Studio and others. Plug it into the engine with
 * {@code ConversationEngine.builder(store).summarizer(OpenAiSummarizer.builder().model(...)
 * .build())}.
 *
 * <p>Each call sends one request with a system prompt and a user message that carries the
 * previous summary and the evicted rounds (every message of each round: system, user and
 * assistant texts, tool calls and tool results), and returns the first choice's message content,
 * stripped. Answers with status 429 or 5xx are retried a bounded number of times with exponential
 * backoff (honouring {@code Retry-After}, capped); anything else that is not a usable answer
 * (another status, a refused connection, a timeout, a TLS failure, an answer that is not a chat
 * completion, an empty answer) fails with a {@link PalimpsestException} of kind
 * {@link FailureKind#SUMMARIZER} whose message names what failed and what to do. Nothing but a
 * successful answer's content is ever returned. An interrupt while a request is in flight, or
 * while the summarizer waits to retry, ends the call with an {@link InterruptedException}, as
 * the engine expects when it cancels a compaction.
 *
 * <p>Building one is cheap and does no I/O: the HTTP client and the JSON mapper are created on
 * the first {@link #summarize}, so a process that holds a summarizer but never compacts never
 * pays for them. An embedder that needs its own proxy, TLS settings or executor gives its own
 * client with {@link Builder#httpClient(HttpClient)}; the summarizer then uses it as it is and
 * never closes it. An API key is never sent over plain HTTP to a host other than the loopback
 * interface unless {@link Builder#allowPlainHttp(boolean)} says so; {@link Builder#build()}
 * refuses such a configuration with an {@link InsecureEndpointException}.
 *
 * <p>Thread-safe: one instance shares one HTTP client.
 */
public final class OpenAiSummarizer implements Summarizer {
    /** The environment variable the API key is read from by default. */
    public static final String DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

    /**
     * The environment variable the base URL is read from when none is given, as OpenAI's own
     * client libraries do.
     */
    public static final String BASE_URL_ENV = "OPENAI_BASE_URL";

    /** The base URL used when none is given and {@link #BASE_URL_ENV} is unset: OpenAI's API. */
    public static final URI DEFAULT_BASE_URL = URI.create("https://api.openai.com/v1");

    /** The instructions sent as the system message unless {@link Builder#systemPrompt} is set. */
    public static final String DEFAULT_SYSTEM_PROMPT = "You maintain the running summary of a long "
            + "conversation between a user and an assistant that may call tools. You receive the "
            + "previous summary and the oldest rounds, which are about to leave the conversation "
            + "window; a round may hold system instructions, the assistant's tool calls (with "
            + "their arguments) and the tools' results. Write one updated summary that merges "
            + "both: keep every fact, decision, preference, name, number, identifier, open "
            + "question and commitment that may matter later, including what a tool was asked "
            + "and what it answered. Copy values exactly as written (numbers, versions, ids, "
            + "names, paths, dates, amounts): never round, paraphrase or translate them. When a "
            + "value changed, keep only the newest one and drop the superseded one. Drop small "
            + "talk, repetition and bulky tool output that no later turn needs. Write in the "
            + "conversation's language, as short bullet points, one fact each, without "
            + "preamble.";

    /**
     * Headers the summarizer or the HTTP client sets itself, in lower case; {@link
     * Builder#header} refuses them.
     */
    static final Set<String> CONTROLLED_HEADERS = Set.of("accept", "authorization", "connection",
            "content-length", "content-type", "expect", "host", "keep-alive",
            "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding",
            "upgrade");

    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final Pattern IPV4 = Pattern.compile(
            "(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private final URI endpoint;
    private final String model;
    private final Optional<String> apiKey;
    private final Map<String, String> headers;
    private final String systemPrompt;
    private final TokenLimitParameter tokenLimitParameter;
    private final int maxOutputTokens;
    private final OptionalDouble temperature;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final int maxRetries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final long maxResponseBytes;
    private final Clock clock;
    private final Sleeper sleeper;
    /** The client given to the builder, used as it is and never closed; else empty. */
    private final Optional<HttpClient> givenHttpClient;
    /** Built on the first {@link #summarize}; see {@link #client()}. */
    private volatile ChatCompletionsClient client;

    private OpenAiSummarizer(Builder b, URI baseUrl, Optional<String> apiKey) {
        this.endpoint = endpointOf(baseUrl);
        this.model = b.model;
        this.apiKey = apiKey;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.systemPrompt = b.systemPrompt;
        this.tokenLimitParameter = b.tokenLimitParameter;
        this.maxOutputTokens = b.maxOutputTokens;
        this.temperature = b.temperature;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.maxRetries = b.maxRetries;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.maxResponseBytes = b.maxResponseBytes;
        this.clock = b.clock;
        this.sleeper = b.sleeper;
        this.givenHttpClient = Optional.ofNullable(b.httpClient);
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
     * Returns the URL requests go to: the base URL's path followed by {@code /chat/completions},
     * then the base URL's query, if any.
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

    /**
     * Tells whether requests carry an API key ({@code Authorization: Bearer ...}).
     *
     * @return whether a key was given or found in the environment
     */
    public boolean sendsApiKey() {
        return apiKey.isPresent();
    }

    /**
     * Sends the previous context and the evicted rounds to the endpoint and returns the model's
     * summary; answers with status 429 or 5xx are retried as configured.
     *
     * @param request the previous context and the rounds to fold in
     * @return the summary, stripped, not blank
     * @throws PalimpsestException  of kind {@link FailureKind#SUMMARIZER} if no usable answer
     *                              came: its message names what failed and what to do
     * @throws InterruptedException if the calling thread was interrupted while a request was in
     *                              flight or while it waited to retry
     */
    @Override
    public String summarize(SummaryRequest request) throws InterruptedException {
        Objects.requireNonNull(request, "request");
        return client().summarize(request);
    }

    /** The HTTP side, built once, on first use, so that holding a summarizer costs nothing. */
    private ChatCompletionsClient client() {
        ChatCompletionsClient built = client;
        if (built == null) {
            synchronized (this) {
                built = client;
                if (built == null) {
                    built = new ChatCompletionsClient(this);
                    client = built;
                }
            }
        }
        return built;
    }

    Optional<String> apiKey() {
        return apiKey;
    }

    Map<String, String> headers() {
        return headers;
    }

    String systemPrompt() {
        return systemPrompt;
    }

    TokenLimitParameter tokenLimitParameter() {
        return tokenLimitParameter;
    }

    int maxOutputTokens() {
        return maxOutputTokens;
    }

    OptionalDouble temperature() {
        return temperature;
    }

    Duration connectTimeout() {
        return connectTimeout;
    }

    Duration requestTimeout() {
        return requestTimeout;
    }

    int maxRetries() {
        return maxRetries;
    }

    long maxResponseBytes() {
        return maxResponseBytes;
    }

    Sleeper sleeper() {
        return sleeper;
    }

    Optional<HttpClient> givenHttpClient() {
        return givenHttpClient;
    }

    /** The endpoint as messages show it: without the query, which may carry a secret. */
    String shownEndpoint() {
        return endpoint.getScheme() + "://" + endpoint.getRawAuthority() + endpoint.getRawPath();
    }

    /**
     * The user message: the previous summary, then the rounds to fold in, each as
     * {@code [round N]} and one line per message: {@code System: ...}, {@code User: ...},
     * {@code Assistant: ...}, an assistant's tool call as {@code Assistant called NAME(ARGS)}
     * (after its text, if it has one) and a tool result as {@code Tool NAME: CONTENT}.
     */
    static String userPrompt(SummaryRequest request) {
        StringBuilder text = new StringBuilder();
        text.append("Previous summary:\n");
        text.append(request.previousContext().isBlank() ? "(none yet)"
                : request.previousContext().strip());
        text.append("\n\nRounds to fold into the summary:\n");
        for (Round round : request.evictedRounds()) {
            text.append("\n[round ").append(round.seq()).append("]\n");
            for (StoredMessage stored : round.messages()) {
                render(stored, text);
            }
        }
        text.append("\nWrite the updated summary.");
        return text.toString();
    }

    private static void render(StoredMessage stored, StringBuilder text) {
        String content = stored.message().content();
        switch (stored.role()) {
            case SYSTEM -> text.append("System: ").append(content).append('\n');
            case USER -> text.append("User: ").append(content).append('\n');
            case ASSISTANT -> {
                // A message that only calls tools has no text worth a line of its own.
                if (!content.isEmpty() || stored.message().toolCalls().isEmpty()) {
                    text.append("Assistant: ").append(content).append('\n');
                }
                for (ToolCall call : stored.message().toolCalls()) {
                    text.append("Assistant called ").append(call.name()).append('(')
                            .append(call.arguments()).append(")\n");
                }
            }
            case TOOL -> text.append("Tool ").append(stored.message().toolName().orElseThrow())
                    .append(": ").append(content).append('\n');
        }
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

    /**
     * The base URL's path followed by {@code /chat/completions} (unless it ends with it
     * already), then its query: {@code http://h/v1?x=1} becomes
     * {@code http://h/v1/chat/completions?x=1}.
     */
    static URI endpointOf(URI baseUrl) {
        String path = baseUrl.getRawPath() == null ? "" : baseUrl.getRawPath();
        if (!path.endsWith("/chat/completions")) {
            path = (path.endsWith("/") ? path.substring(0, path.length() - 1) : path)
                    + "/chat/completions";
        }
        StringBuilder url = new StringBuilder(baseUrl.getScheme()).append("://")
                .append(baseUrl.getRawAuthority()).append(path);
        if (baseUrl.getRawQuery() != null) {
            url.append('?').append(baseUrl.getRawQuery());
        }
        return URI.create(url.toString());
    }

    /**
     * Tells whether a URL's host is on the loopback interface, from its text alone (no name is
     * looked up, so no DNS answer can change it): {@code localhost} and names under
     * {@code .localhost}, IPv4 addresses in {@code 127.0.0.0/8}, and IPv6 {@code [::1]} (also
     * IPv4-mapped loopback addresses).
     */
    static boolean isLoopbackHost(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            try {
                // A bracketed literal is parsed, never looked up.
                return InetAddress.getByName(h.substring(1, h.length() - 1)).isLoopbackAddress();
            } catch (UnknownHostException notAnAddress) {
                return false;
            }
        }
        Matcher ipv4 = IPV4.matcher(h);
        if (ipv4.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(ipv4.group(i)) > 255) {
                    return false;
                }
            }
            return ipv4.group(1).equals("127");
        }
        return false;
    }

    @Override
    public String toString() {
        return "OpenAiSummarizer[" + shownEndpoint() + ", model=" + model + "]";
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

    /**
     * The request field that carries the output limit ({@link Builder#maxOutputTokens}). OpenAI
     * deprecated {@code max_tokens} for chat completions and its reasoning models reject it;
     * most other servers (Ollama, vLLM, llama.cpp) know only {@code max_tokens}.
     */
    public enum TokenLimitParameter {
        /** {@code max_tokens}: the default, understood by every OpenAI-compatible server. */
        MAX_TOKENS("max_tokens"),
        /** {@code max_completion_tokens}: what OpenAI's current and reasoning models take. */
        MAX_COMPLETION_TOKENS("max_completion_tokens");

        private final String fieldName;

        TokenLimitParameter(String fieldName) {
            this.fieldName = fieldName;
        }

        /**
         * Returns the JSON field name, for example {@code max_tokens}.
         *
         * @return the field name
         */
        public String fieldName() {
            return fieldName;
        }

        /**
         * Returns the parameter with the given JSON field name.
         *
         * @param fieldName {@code max_tokens} or {@code max_completion_tokens}
         * @return the parameter
         * @throws IllegalArgumentException if the name is neither
         */
        public static TokenLimitParameter ofFieldName(String fieldName) {
            for (TokenLimitParameter p : values()) {
                if (p.fieldName.equals(fieldName)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("the token-limit parameter must be max_tokens or "
                    + "max_completion_tokens, was '" + fieldName + "'");
        }
    }

    /** Builds an {@link OpenAiSummarizer}. */
    public static final class Builder {
        private URI baseUrl;
        private String model;
        private String apiKey;
        private String apiKeyEnv = DEFAULT_API_KEY_ENV;
        private boolean allowPlainHttp;
        private UnaryOperator<String> environment = System::getenv;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String systemPrompt = DEFAULT_SYSTEM_PROMPT;
        private TokenLimitParameter tokenLimitParameter = TokenLimitParameter.MAX_TOKENS;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private int maxRetries = 3;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private int maxOutputTokens = 1024;
        private OptionalDouble temperature = OptionalDouble.of(0.2);
        private long maxResponseBytes = 4L * 1024 * 1024;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private HttpClient httpClient;

        private Builder() {
        }

        /**
         * Sets the API's base URL, up to and including the version segment, for example
         * {@code http://localhost:11434/v1}; {@code /chat/completions} is appended to its path
         * (a URL whose path already ends with it is used as is) and its query, if any, is kept.
         * Default: the environment variable {@link #BASE_URL_ENV} if set and not empty, else
         * {@link #DEFAULT_BASE_URL}.
         *
         * @param value an absolute http or https URL, without user information or fragment
         * @return this builder
         * @throws IllegalArgumentException if the URL is not such a URL
         */
        public Builder baseUrl(URI value) {
            Objects.requireNonNull(value, "baseUrl");
            this.baseUrl = checkedBaseUrl(value, "baseUrl");
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
         * {@code Authorization} header is sent when that is unset or empty (local servers need
         * none).
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
         * @param variable the variable's name, not blank
         * @return this builder
         */
        public Builder apiKeyFromEnv(String variable) {
            Objects.requireNonNull(variable, "variable");
            if (variable.isBlank() || variable.indexOf('=') >= 0 || variable.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("the API key's environment variable must be a "
                        + "name without '=', was '" + variable + "'");
            }
            this.apiKeyEnv = variable;
            return this;
        }

        /**
         * Allows sending the API key over plain HTTP to a host that is not on the loopback
         * interface, where anyone on the network path can read it. Default: {@code false}, and
         * {@link #build()} refuses such a configuration. Without a key, plain HTTP is always
         * allowed.
         *
         * @param value whether to allow it
         * @return this builder
         */
        public Builder allowPlainHttp(boolean value) {
            this.allowPlainHttp = value;
            return this;
        }

        /**
         * Replaces where environment variables ({@link #BASE_URL_ENV} and the API key's) are
         * read from; for an application that keeps its own environment, and for tests. Default:
         * {@link System#getenv(String)}.
         *
         * @param lookup returns a variable's value, or {@code null} if it is unset
         * @return this builder
         */
        public Builder environment(UnaryOperator<String> lookup) {
            this.environment = Objects.requireNonNull(lookup, "environment");
            return this;
        }

        /**
         * Adds a header sent with every request, for example {@code OpenAI-Organization} or a
         * gateway's own key header. Headers that the summarizer or the HTTP client controls
         * ({@code Authorization}, which carries the API key, {@code Content-Type}, {@code Accept},
         * {@code Host}, {@code Content-Length}, {@code Connection} and the other hop-by-hop
         * headers) are refused. Headers are sent whatever the scheme: over plain HTTP, anyone on
         * the network path can read them.
         *
         * @param name  an HTTP header name, each name once (case-insensitive)
         * @param value printable ASCII, no line breaks
         * @return this builder
         * @throws IllegalArgumentException if the header is refused
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!TOKEN.matcher(name).matches()) {
                throw new IllegalArgumentException("header name '" + printable(name)
                        + "' is not a valid HTTP header name (letters, digits and "
                        + "!#$%&'*+-.^_`|~)");
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.equals("authorization")) {
                throw new IllegalArgumentException("header '" + name + "' carries the API key "
                        + "and is set by the summarizer: give the key with apiKey(...) or "
                        + "apiKeyFromEnv(...) instead");
            }
            if (CONTROLLED_HEADERS.contains(lower)) {
                throw new IllegalArgumentException("header '" + name + "' is set by the "
                        + "summarizer or its HTTP client and cannot be replaced: remove it");
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c != '\t' && (c < 0x20 || c > 0x7e)) {
                    throw new IllegalArgumentException("header '" + name + "' must have a "
                            + "printable ASCII value without line breaks");
                }
            }
            for (String given : headers.keySet()) {
                if (given.equalsIgnoreCase(name)) {
                    throw new IllegalArgumentException("header '" + name + "' is given twice");
                }
            }
            headers.put(name, value);
            return this;
        }

        /**
         * Replaces the instructions sent as the system message. Default:
         * {@link #DEFAULT_SYSTEM_PROMPT}. The user message (the previous summary and the rounds
         * to fold in) is always the same.
         *
         * @param value the instructions, not blank
         * @return this builder
         */
        public Builder systemPrompt(String value) {
            Objects.requireNonNull(value, "systemPrompt");
            if (value.isBlank()) {
                throw new IllegalArgumentException("systemPrompt must not be blank");
            }
            this.systemPrompt = value;
            return this;
        }

        /**
         * Sets the request field that carries {@link #maxOutputTokens}. Default:
         * {@link TokenLimitParameter#MAX_TOKENS}; OpenAI's reasoning models need
         * {@link TokenLimitParameter#MAX_COMPLETION_TOKENS}.
         *
         * @param value the parameter
         * @return this builder
         */
        public Builder tokenLimitParameter(TokenLimitParameter value) {
            this.tokenLimitParameter = Objects.requireNonNull(value, "tokenLimitParameter");
            return this;
        }

        /**
         * Makes the summarizer send its requests through {@code client}, for an embedder that
         * needs its own proxy, TLS context, authenticator or executor, or shares one client
         * across its components. Default: none, and the summarizer builds its own client on its
         * first call (HTTP/1.1, {@link #connectTimeout(Duration)}, no redirects followed).
         *
         * <p>The client stays the caller's: the summarizer never closes it, shuts down its
         * executor or changes it, and it must stay usable as long as the summarizer is. Its own
         * settings apply as they are: {@link #connectTimeout(Duration)} has no effect on it (the
         * client's connect timeout does), while {@link #requestTimeout(Duration)}, the headers
         * and the API key are still set on every request. A client that follows redirects may
         * send the API key along to wherever the server redirects; the summarizer's own client
         * never follows them. Local servers (Ollama, llama.cpp) speak HTTP/1.1 only: a client not
         * set to {@link HttpClient.Version#HTTP_1_1} tries an HTTP/2 upgrade over plain HTTP,
         * which confuses some of them.
         *
         * @param client the client, owned by the caller
         * @return this builder
         */
        public Builder httpClient(HttpClient client) {
            this.httpClient = Objects.requireNonNull(client, "httpClient");
            return this;
        }

        /**
         * Sets how long connecting may take. Default: 10 s. Applies to the client the
         * summarizer builds, not to one given to {@link #httpClient(HttpClient)}.
         *
         * @param value positive
         * @return this builder
         */
        public Builder connectTimeout(Duration value) {
            this.connectTimeout = positive(value, "connectTimeout");
            return this;
        }

        /**
         * Sets how long one request may take, its whole answer read: a server that stalls in the
         * middle of its answer fails the call when it passes, as one that never answers does.
         * Each retry gets it anew. Default: 60 s.
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
         * Sets the longest summary the model may write, sent as the field that
         * {@link #tokenLimitParameter} names. Default: 1,024.
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
            this.temperature = OptionalDouble.of(value);
            return this;
        }

        /**
         * Sends no temperature, so that the model's own default applies: OpenAI's reasoning
         * models refuse any temperature but theirs (1).
         *
         * @return this builder
         */
        public Builder defaultTemperature() {
            this.temperature = OptionalDouble.empty();
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
         * Builds the summarizer: resolves the base URL ({@link #baseUrl}, else
         * {@link #BASE_URL_ENV}, else {@link #DEFAULT_BASE_URL}) and the API key, and checks
         * that the key would not travel over plain HTTP. Does no I/O.
         *
         * @return the summarizer
         * @throws IllegalStateException     if no model was set, or {@link #BASE_URL_ENV} holds
         *                                   no usable URL
         * @throws InsecureEndpointException if an API key would be sent over plain HTTP to a host
         *                                   that is not loopback without
         *                                   {@link #allowPlainHttp(boolean)}
         */
        public OpenAiSummarizer build() {
            if (model == null) {
                throw new IllegalStateException("OpenAiSummarizer needs a model: call model(...)");
            }
            URI base = baseUrl != null ? baseUrl : baseUrlFromEnvironment();
            Optional<String> key = apiKey != null ? Optional.of(apiKey)
                    : Optional.ofNullable(environment.apply(apiKeyEnv)).filter(k -> !k.isBlank());
            if (key.isPresent() && "http".equalsIgnoreCase(base.getScheme()) && !allowPlainHttp
                    && !isLoopbackHost(base.getHost())) {
                String source = apiKey != null ? "the API key" : "the API key from $" + apiKeyEnv;
                throw new InsecureEndpointException(endpointOf(base), "refusing to send "
                        + source + " over plain HTTP to " + base.getHost() + " ("
                        + stripQuery(endpointOf(base)) + "), where anyone on the network path "
                        + "can read it: use an https:// URL, or allow plain HTTP explicitly "
                        + "(allowPlainHttp) if the network is trusted");
            }
            return new OpenAiSummarizer(this, base, key);
        }

        private URI baseUrlFromEnvironment() {
            String value = environment.apply(BASE_URL_ENV);
            if (value == null || value.isBlank()) {
                return DEFAULT_BASE_URL;
            }
            try {
                return checkedBaseUrl(new URI(value.strip()), "$" + BASE_URL_ENV);
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                throw new IllegalStateException("$" + BASE_URL_ENV + " must be an absolute http "
                        + "or https URL such as http://localhost:11434/v1, was '"
                        + printable(value) + "': fix or unset it, or give the base URL "
                        + "explicitly", e);
            }
        }

        private static URI checkedBaseUrl(URI value, String what) {
            String scheme = value.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)
                    || value.getHost() == null) {
                throw new IllegalArgumentException(what
                        + " must be an absolute http or https URL, was " + value);
            }
            if (value.getRawUserInfo() != null) {
                throw new IllegalArgumentException(what + " must not carry a user name or "
                        + "password (they would not be sent): give the key with apiKey(...) or "
                        + "a header instead");
            }
            if (value.getRawFragment() != null) {
                throw new IllegalArgumentException(what + " must not have a fragment ('#...'), "
                        + "was " + value);
            }
            return value;
        }

        private static String stripQuery(URI uri) {
            return uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
        }

        private static String printable(String text) {
            StringBuilder out = new StringBuilder();
            text.codePoints().limit(100).forEach(c -> {
                if (c < 0x20 || c == 0x7f) {
                    out.append(String.format("\\x%02x", c));
                } else {
                    out.appendCodePoint(c);
                }
            });
            return out.toString();
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
