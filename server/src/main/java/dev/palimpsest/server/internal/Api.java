package dev.palimpsest.server.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.palimpsest.engine.CompactionHandle;
import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.format.ChatMessageJson;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.server.ServerLimits;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.ConversationIds;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.store.SummaryPage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one handler of the server: authenticates, routes {@code /v1/...} to the engine, and
 * answers every failure with a problem document; logs one access line per request.
 */
public final class Api implements HttpHandler {
    private static final System.Logger ACCESS = System.getLogger("dev.palimpsest.server.access");
    private static final System.Logger LOG = System.getLogger(Api.class.getName());

    /** Set while a request runs that arrived when every thread and queue place was taken. */
    static final ThreadLocal<Boolean> OVERLOADED = new ThreadLocal<>();

    /** The most messages of one transcript page, and the default. */
    static final int MAX_PAGE = 1000;
    static final int DEFAULT_PAGE = 100;
    /** A transcript page stops growing past this many bytes of JSON (always one message). */
    static final int PAGE_BYTES = 4 << 20;

    private final ConversationEngine engine;
    private final Optional<byte[]> tokenDigest;
    private final ServerLimits limits;
    private final BodyReader bodies;
    private final ThreadPoolExecutor compactions;
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean draining;
    private final Object idle = new Object();
    private int inFlight;

    /**
     * A handler over {@code engine}.
     *
     * @param engine the engine
     * @param token  the bearer token, if one is required
     * @param limits the limits
     */
    public Api(ConversationEngine engine, Optional<byte[]> token, ServerLimits limits) {
        this.engine = engine;
        this.tokenDigest = token.map(Api::digest);
        this.limits = limits;
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "palimpsest-http-watchdog");
            t.setDaemon(true);
            return t;
        });
        this.bodies = new BodyReader(watchdog, limits);
        this.compactions = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(64), r -> {
                    Thread t = new Thread(r, "palimpsest-http-compaction");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Refuses new requests from now on; those in flight go on. */
    public void drain() {
        draining = true;
    }

    /** Stops the watchdog and the queued compactions (a compaction running is not cut). */
    public void close() {
        draining = true;
        bodies.close();
        compactions.shutdown();
    }

    @Override
    public void handle(HttpExchange exchange) {
        synchronized (idle) {
            inFlight++;
        }
        try {
            serve(exchange);
        } finally {
            synchronized (idle) {
                inFlight--;
                idle.notifyAll();
            }
        }
    }

    /**
     * Waits until no request is in flight, or {@code timeout} passed.
     *
     * @param timeout the longest wait
     * @return whether none is in flight
     */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return inFlight == 0;
                }
            }
            return true;
        }
    }

    private void serve(HttpExchange exchange) {
        long started = System.nanoTime();
        long number = requests.incrementAndGet();
        Reply reply;
        try {
            reply = route(exchange);
        } catch (ApiError e) {
            reply = Reply.problem(e.status, e.type, e.title, e.getMessage(), e.headers,
                    Optional.empty(), Optional.empty());
        } catch (PalimpsestException e) {
            reply = Reply.failure(e);
        } catch (BodyReader.TimedOut | IOException e) {
            // The client was too slow sending its body, or went away: nobody to answer.
            reply = null;
        } catch (RuntimeException | Error e) {
            if (draining && e instanceof IllegalStateException) {
                // The engine closed under a request: the server is going away.
                reply = Reply.problem(503, "unavailable", "Service unavailable",
                        "the server is shutting down", Map.of("Connection", "close"),
                        Optional.empty(), Optional.empty());
            } else {
                LOG.log(System.Logger.Level.ERROR, "request " + number + " failed", e);
                reply = Reply.problem(500, "internal", "Internal server error",
                        "the server failed on this request; its log says why (request "
                                + number + ")", Map.of(), Optional.empty(), Optional.empty());
            }
        }
        int status = reply == null ? 0 : reply.status();
        long bytes = 0;
        try {
            if (reply != null) {
                bytes = reply.send(exchange);
            }
        } catch (IOException e) {
            status = -status;
        } finally {
            exchange.close();
        }
        if (ACCESS.isLoggable(System.Logger.Level.INFO)) {
            // No body, no query (it holds search words), no header: never a token.
            ACCESS.log(System.Logger.Level.INFO, String.format(Locale.ROOT,
                    "request=%d remote=%s method=%s path=%s status=%s bytes=%d ms=%.1f", number,
                    exchange.getRemoteAddress(), exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(),
                    status == 0 ? "timeout" : status < 0 ? (-status) + "-unsent"
                            : String.valueOf(status),
                    bytes, (System.nanoTime() - started) / 1e6));
        }
    }

    private Reply route(HttpExchange exchange) throws IOException {
        if (Boolean.TRUE.equals(OVERLOADED.get())) {
            throw new ApiError(503, "overloaded", "Service unavailable", "every thread was busy"
                    + " and the queue full when this request came; retry later",
                    Map.of("Retry-After", "1", "Connection", "close"));
        }
        Route route = Route.of(exchange.getRequestMethod(), exchange.getRequestURI());
        if (draining) {
            throw new ApiError(503, "draining", "Service unavailable", "the server is shutting"
                    + " down", Map.of("Connection", "close", "Retry-After", "1"));
        }
        if (route.name() == Route.Name.HEALTH) {
            return health();
        }
        authenticate(exchange);
        Query query = Query.parse(exchange.getRequestURI().getRawQuery());
        return switch (route.name()) {
            case HEALTH -> health();
            case OPENAPI -> { query.only(); yield Reply.resource("openapi.json",
                    "application/json"); }
            case LIST -> list(query);
            case CONVERSATION -> conversation(exchange, route.convId(), query);
            case DELETE -> delete(exchange, route.convId(), query);
            case APPEND_MESSAGES -> append(exchange, route.convId(), query, false);
            case APPEND_ROUND -> append(exchange, route.convId(), query, true);
            case TRANSCRIPT -> transcript(route.convId(), query);
            case CONTEXT -> context(route.convId(), query);
            case COMPACT -> compact(route.convId(), query);
            case SEARCH -> search(query);
        };
    }

    private void authenticate(HttpExchange exchange) {
        if (tokenDigest.isEmpty()) {
            return;
        }
        List<String> given = exchange.getRequestHeaders().getOrDefault("Authorization",
                List.of());
        Map<String, String> challenge = Map.of("WWW-Authenticate",
                "Bearer realm=\"palimpsest\"");
        if (given.isEmpty()) {
            throw new ApiError(401, "unauthorized", "Unauthorized", "this request needs"
                    + " 'Authorization: Bearer TOKEN'", challenge);
        }
        String value = given.get(0);
        boolean bearer = given.size() == 1 && value.regionMatches(true, 0, "Bearer ", 0, 7);
        // Digests of equal length, compared in constant time: neither the token's length
        // nor its matching prefix shows in the time of a refusal.
        byte[] presented = digest((bearer ? value.substring(7).trim() : "")
                .getBytes(StandardCharsets.UTF_8));
        if (!MessageDigest.isEqual(presented, tokenDigest.get()) || !bearer) {
            throw new ApiError(401, "unauthorized", "Unauthorized", "the bearer token is"
                    + " wrong", Map.of("WWW-Authenticate",
                    "Bearer realm=\"palimpsest\", error=\"invalid_token\""));
        }
    }

    private static byte[] digest(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private Reply health() {
        if (draining) {
            return Reply.json(503, Json.object(g -> g.writeStringField("status", "draining")));
        }
        try {
            engine.store().list(Optional.empty(), 1);
            return Reply.json(200, Json.object(g -> g.writeStringField("status", "ready")));
        } catch (PalimpsestException e) {
            return Reply.json(503, Json.object(g -> {
                g.writeStringField("status", "unavailable");
                g.writeStringField("kind", e.kind().name());
            }));
        }
    }

    private Reply list(Query query) {
        query.only("limit", "after");
        int limit = query.integer("limit", DEFAULT_PAGE, 1, MAX_PAGE);
        Optional<String> after = query.text("after").map(Api::checkId);
        SummaryPage page = engine.store().summaries(after, limit);
        return Reply.json(200, Json.object(g -> {
            g.writeArrayFieldStart("conversations");
            for (ConversationSummary s : page.summaries()) {
                Json.summary(g, s);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("unreadable");
            for (PalimpsestException e : page.unreadable()) {
                g.writeStartObject();
                g.writeStringField("conv_id", e.convId().orElse(""));
                g.writeStringField("kind", e.kind().name());
                g.writeStringField("detail", e.getMessage());
                g.writeEndObject();
            }
            g.writeEndArray();
            Json.optional(g, "next", page.next());
        }));
    }

    private Reply conversation(HttpExchange exchange, String convId, Query query) {
        query.only();
        ConversationSummary summary = existing(convId);
        String etag = "\"" + summary.revision() + "\"";
        String ifNoneMatch = exchange.getRequestHeaders().getFirst("If-None-Match");
        if (etag.equals(ifNoneMatch)) {
            return Reply.notModified(etag);
        }
        return Reply.json(200, Json.object(g -> Json.summaryFields(g, summary)))
                .withHeader("ETag", etag);
    }

    private Reply delete(HttpExchange exchange, String convId, Query query) {
        query.only();
        if (exchange.getRequestHeaders().containsKey("If-Match")) {
            throw ApiError.badRequest("If-Match is not supported on DELETE: a delete removes"
                    + " the conversation whatever its revision");
        }
        if (!engine.delete(convId)) {
            throw notFound(convId);
        }
        return Reply.empty(204);
    }

    private Reply append(HttpExchange exchange, String convId, Query query, boolean round)
            throws IOException {
        String seqParameter = round ? "expected_round" : "expected_seq";
        query.only(seqParameter);
        Optional<Long> expectedSeq = query.number(seqParameter, 1);
        String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
        if (ifMatch != null && expectedSeq.isPresent()) {
            throw ApiError.badRequest("give If-Match or " + seqParameter + ", not both");
        }
        Expectation expectation = ifMatch != null ? Expectation.revision(revision(ifMatch))
                : expectedSeq.map(seq -> round ? Expectation.nextRoundSeq(seq)
                        : Expectation.nextMessageSeq(seq)).orElse(Expectation.none());
        String body = bodies.readJson(exchange);
        List<Message> messages = ChatMessageJson.parseLine(body, "the request body");
        if (round) {
            checkRound(messages);
        }
        AppendResult appended = engine.append(convId, messages, expectation).appended();
        // The outcome's compaction runs on: its state shows in the next GET.
        int status = appended.retried() ? 200 : 201;
        return Reply.json(status, Json.object(g -> Json.appended(g, appended)))
                .withHeader("ETag", "\"" + appended.revision() + "\"");
    }

    private static void checkRound(List<Message> messages) {
        if (messages.get(0).role() != Role.USER && messages.get(0).role() != Role.SYSTEM) {
            throw ApiError.badRequest("a round opens with a user message (or a system message"
                    + " and then one), was " + messages.get(0).role().wireName());
        }
        long users = messages.stream().filter(m -> m.role() == Role.USER).count();
        if (users != 1) {
            throw ApiError.badRequest("a round holds exactly one user message, this one "
                    + users + "; append several rounds one request each");
        }
    }

    private static long revision(String ifMatch) {
        String value = ifMatch.trim();
        if (value.startsWith("\"") && value.endsWith("\"") && value.length() >= 2) {
            value = value.substring(1, value.length() - 1);
        }
        try {
            long revision = Long.parseLong(value);
            if (revision >= 0 && value.chars().allMatch(Character::isDigit)) {
                return revision;
            }
        } catch (NumberFormatException e) {
            // Refused below, naming the header.
        }
        throw ApiError.badRequest("If-Match must be a revision as an ETag (\"12\"), was '"
                + Json.oneLine(ifMatch) + "'");
    }

    private Reply transcript(String convId, Query query) {
        query.only("after", "limit");
        long after = query.number("after", 0).orElse(0L);
        int limit = query.integer("limit", DEFAULT_PAGE, 1, MAX_PAGE);
        List<StoredMessage> read = engine.messages(convId, after + 1, limit + 1);
        if (read.isEmpty() && engine.store().summary(convId).isEmpty()) {
            throw notFound(convId);
        }
        return Reply.json(200, Json.object(g -> {
            g.writeStringField("conv_id", convId);
            g.writeArrayFieldStart("messages");
            int written = 0;
            long last = after;
            boolean more = read.size() > limit;
            for (StoredMessage m : read) {
                if (written == limit || written > 0 && g.getOutputBuffered() > PAGE_BYTES) {
                    more = true;
                    break;
                }
                Json.stored(g, m);
                last = m.seq();
                written++;
            }
            g.writeEndArray();
            if (more) {
                g.writeNumberField("next", last);
            } else {
                g.writeNullField("next");
            }
        }));
    }

    private Reply context(String convId, Query query) {
        query.only("query", "budget", "format");
        Optional<String> question = query.text("query");
        Optional<Long> budget = query.number("budget", 1);
        String format = query.text("format").orElse("text");
        if (!format.equals("text") && !format.equals("openai")) {
            throw ApiError.badRequest("format must be text or openai, was '"
                    + Json.oneLine(format) + "'");
        }
        if (question.isPresent() && question.get().isBlank()) {
            throw ApiError.badRequest("query needs words to recall by");
        }
        existing(convId);
        PromptContext context;
        if (question.isPresent()) {
            if (engine.recall().isEmpty()) {
                throw noRecall();
            }
            context = engine.context(convId, question.get(),
                    budget.orElse(engine.policy().maxTokens()));
        } else {
            context = budget.isPresent() ? engine.context(convId, "", budget.get())
                    : engine.context(convId);
        }
        if (format.equals("text")) {
            return Reply.text(200, context.asText());
        }
        return Reply.json(200, Json.object(g -> {
            g.writeStringField("conv_id", convId);
            g.writeFieldName("messages");
            Json.openAi(g, context.messages());
        }));
    }

    private Reply compact(String convId, Query query) {
        query.only("wait");
        boolean wait = query.bool("wait", true);
        existing(convId);
        if (!wait) {
            try {
                compactions.execute(() -> {
                    try {
                        engine.compact(convId);
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "queued compaction of '" + convId
                                + "' failed: " + e);
                    }
                });
            } catch (RejectedExecutionException e) {
                throw new ApiError(503, "overloaded", "Service unavailable", "64 compactions are"
                        + " queued already; retry later", Map.of("Retry-After", "5"));
            }
            return Reply.json(202, Json.object(g -> {
                g.writeStringField("conv_id", convId);
                g.writeStringField("status", "queued");
            }));
        }
        CompactionHandle handle = engine.compact(convId);
        CompactionOutcome outcome;
        try {
            // The JDK server cuts off a response that is not sent within the response timeout
            // (counted from the end of the request, handling included): answer 202 well before.
            outcome = handle.await(limits.responseTimeout().dividedBy(2));
        } catch (TimeoutException e) {
            return Reply.json(202, Json.object(g -> {
                g.writeStringField("conv_id", convId);
                g.writeStringField("status", "running");
            }));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (outcome.failure().isPresent()) {
            throw outcome.failure().get();
        }
        return Reply.json(200, Json.object(g -> {
            g.writeStringField("conv_id", convId);
            g.writeStringField("status", outcome.status().name().toLowerCase(Locale.ROOT));
            g.writeNumberField("rounds_folded", outcome.roundsFolded());
        }));
    }

    private Reply search(Query query) {
        query.only("q", "conv_id", "limit");
        String text = query.text("q").orElseThrow(() -> ApiError.badRequest("search needs q,"
                + " the words to look for"));
        if (text.isBlank() || text.length() > RecallQuery.MAX_TEXT_CHARS) {
            throw ApiError.badRequest("q must hold words, at most " + RecallQuery.MAX_TEXT_CHARS
                    + " characters");
        }
        int limit = query.integer("limit", 10, 1, RecallQuery.MAX_LIMIT);
        Optional<String> convId = query.text("conv_id").map(Api::checkId);
        if (engine.recall().isEmpty()) {
            throw noRecall();
        }
        RecallQuery recall = convId.map(id -> RecallQuery.in(id, text, limit))
                .orElseGet(() -> RecallQuery.everywhere(text, limit));
        var hits = engine.search(recall);
        return Reply.json(200, Json.object(g -> {
            g.writeArrayFieldStart("hits");
            for (var hit : hits) {
                g.writeStartObject();
                g.writeStringField("conv_id", hit.convId());
                g.writeNumberField("score", hit.score());
                g.writeFieldName("message");
                Json.stored(g, hit.message());
                g.writeEndObject();
            }
            g.writeEndArray();
        }));
    }

    private ConversationSummary existing(String convId) {
        return engine.store().summary(convId).orElseThrow(() -> notFound(convId));
    }

    private static PalimpsestException notFound(String convId) {
        return new PalimpsestException(FailureKind.NOT_FOUND, convId, "no conversation '"
                + Json.oneLine(convId) + "'");
    }

    private static ApiError noRecall() {
        return new ApiError(501, "no-recall", "Not implemented", "this server has no recall:"
                + " search and a context for a query need one");
    }

    private static String checkId(String convId) {
        ConversationIds.check(convId);
        return convId;
    }
}
