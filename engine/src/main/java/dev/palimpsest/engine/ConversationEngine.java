package dev.palimpsest.engine;

import dev.palimpsest.engine.internal.BoundedCall;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Appends messages to conversations and compacts them, on top of any {@link ConversationStore}:
 * what an agent calls on every message or round.
 *
 * <p><b>Append.</b> {@link #append(String, List, Expectation)} counts each message's tokens and
 * commits the messages through {@link ConversationStore#append} before anything else happens:
 * when it returns they are durable as the store promises, numbered by the store, and a retry with
 * the same message ids appends nothing twice. Nothing on the append path reads the log or grows
 * with the conversation's history: the policy decides from the counters the store returns.
 *
 * <p><b>Compaction</b> follows an append when the {@link CompactionPolicy} says so: in the
 * calling thread by default, or on the executor given to the builder; the append's
 * {@link CompactionHandle} says when it ends. It has three steps, so a slow summarizer never
 * blocks appends: the oldest whole rounds are read from a snapshot, the summarizer folds them
 * without any lock (bounded by the summarizer timeout), and the store commits the new compressed
 * context as one change that names the compaction it follows; if another engine compacted first,
 * or the conversation was deleted meanwhile, the summary is dropped. A failed or timed-out
 * summarizer leaves the rounds verbatim and is counted in {@code compaction_failures}; a later
 * append tries again. One engine runs at most one compaction of a conversation at a time.
 *
 * <p><b>Closing</b> ({@link #close()}) refuses new appends and compactions, waits for the
 * compactions in flight for at most the close timeout, then interrupts the summarizer calls still
 * running (those compactions end {@code CANCELLED}, writing nothing) and waits for them at most
 * one more second. The engine never closes its store: the caller opened it.
 *
 * <p>An engine is thread-safe.
 */
public final class ConversationEngine implements AutoCloseable {
    /** Tokens one chat message's framing (role, separators) costs beyond its text. */
    public static final long MESSAGE_OVERHEAD_TOKENS = 4;

    /** How long one summarizer call may take by default. */
    public static final Duration DEFAULT_SUMMARIZER_TIMEOUT = Duration.ofMinutes(5);
    /** How much longer than the summarizer may take a compaction claim lasts. */
    private static final Duration CLAIM_MARGIN = Duration.ofSeconds(30);

    /** How long {@link #close()} waits for compactions in flight by default. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    /** How long {@link #close()} waits for interrupted compactions to end. */
    static final Duration CANCEL_GRACE = Duration.ofSeconds(1);

    private static final System.Logger LOG =
            System.getLogger(ConversationEngine.class.getName());
    private static final int MAX_MESSAGE_CHARS = 300;

    private final ConversationStore store;
    private final CompactionPolicy policy;
    private final Summarizer summarizer;
    private final TokenCounter tokenCounter;
    private final Clock clock;
    private final Optional<Executor> executor;
    private final CompactionListener listener;
    private final Duration summarizerTimeout;
    private final Duration closeTimeout;
    private final Optional<Recall> recall;
    private final ConcurrentHashMap<String, CompactionHandle> running = new ConcurrentHashMap<>();
    /**
     * The name of this engine's compaction claims: one per engine, unique across hosts (64
     * random bits; not a UUID, whose SecureRandom would cost every command's start-up).
     */
    private final String claimHolder = "engine-" + ProcessHandle.current().pid() + "-"
            + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong());
    private volatile boolean closed;
    /** Set once the close timeout has passed: compactions still in flight then write nothing. */
    private volatile boolean cancelling;

    private ConversationEngine(Builder builder) {
        this.store = builder.store;
        this.policy = builder.policy;
        this.summarizer = builder.summarizer;
        this.tokenCounter = builder.tokenCounter;
        this.clock = builder.clock;
        this.executor = Optional.ofNullable(builder.executor);
        this.listener = builder.listener;
        this.summarizerTimeout = builder.summarizerTimeout;
        this.closeTimeout = builder.closeTimeout;
        this.recall = Optional.ofNullable(builder.recall);
    }

    /**
     * {@return a builder of an engine on {@code store}}, with the defaults:
     * {@link CompactionPolicy#DEFAULT}, the {@link ExtractiveSummarizer} with its default budget,
     * {@link TokenCounter#estimating()}, the system UTC clock, compaction in the calling thread,
     * no listener, {@link #DEFAULT_SUMMARIZER_TIMEOUT} and {@link #DEFAULT_CLOSE_TIMEOUT}
     *
     * @param store the store the engine reads and writes; the engine does not close it
     */
    public static Builder builder(ConversationStore store) {
        return new Builder(store);
    }

    /** {@return the recall this engine searches, if it was given one} */
    public Optional<Recall> recall() {
        return recall;
    }

    /** {@return the store this engine reads and writes} */
    public ConversationStore store() {
        return store;
    }

    /** {@return the policy this engine compacts by} */
    public CompactionPolicy policy() {
        return policy;
    }

    /**
     * Appends messages without an expectation; see {@link #append(String, List, Expectation)}.
     *
     * @param convId   the conversation
     * @param messages the messages, in order, at least one
     * @return what was committed and the compaction it started
     */
    public AppendOutcome append(String convId, Message... messages) {
        return append(convId, List.of(messages), Expectation.none());
    }

    /**
     * Appends one round the way the first generation did: a user text and the assistant's
     * answer. Prefer {@link #append(String, List, Expectation)} with message ids, so that a retry
     * never appends twice.
     *
     * @param convId    the conversation
     * @param user      the user's text
     * @param assistant the assistant's text
     * @return what was committed and the compaction it started
     */
    public AppendOutcome appendRound(String convId, String user, String assistant) {
        return append(convId, Message.user(user), Message.assistant(assistant));
    }

    /**
     * Appends messages (one, a round, or a batch), durable before this returns; then the
     * conversation is compacted if the policy says so.
     *
     * <p>Once the messages are durable this method does not throw: a compaction that fails
     * afterwards is reported by the returned handle and to the listener.
     *
     * @param convId      the conversation; created by its first append
     * @param messages    the messages, in order, at least one
     * @param expectation what the caller expects of the conversation (checked atomically)
     * @return what was committed and the compaction it started
     * @throws PalimpsestException of kind {@code INVALID_INPUT} for messages that break the
     *         round rules, {@code CONFLICT} for a message id stored with other content,
     *         {@code REVISION_MISMATCH} for an expectation that does not hold, or the store's
     *         kind if it failed
     * @throws IllegalStateException if the engine is closed
     */
    public AppendOutcome append(String convId, List<Message> messages, Expectation expectation) {
        Objects.requireNonNull(messages, "messages");
        checkOpen();
        List<NewMessage> counted = new ArrayList<>(messages.size());
        for (Message m : messages) {
            counted.add(new NewMessage(Objects.requireNonNull(m, "message"), tokens(m)));
        }
        AppendResult appended = store.append(
                new AppendRequest(convId, counted, expectation, clock.instant()));
        recall.ifPresent(r -> tellRecall(r, convId, appended));
        CompactionHandle compaction = policy.roundsToFold(appended.counters()) == 0
                ? CompactionHandle.done(convId, CompactionOutcome.NOT_NEEDED)
                : start(convId, false);
        return new AppendOutcome(appended, compaction);
    }

    /**
     * Compacts a conversation now, folding its oldest rounds until the policy's
     * {@code keepRounds} remain, whether or not a limit is exceeded. Runs in the calling thread
     * (the returned handle is then done), unless this engine is compacting that conversation
     * already: then it returns the handle of that compaction.
     *
     * @param convId the conversation
     * @return the compaction; its outcome is {@code NOT_NEEDED} if no more than
     *         {@code keepRounds} rounds are recent or the conversation does not exist
     * @throws IllegalStateException if the engine is closed
     */
    public CompactionHandle compact(String convId) {
        Objects.requireNonNull(convId, "convId");
        checkOpen();
        CompactionHandle handle = new CompactionHandle(convId);
        CompactionHandle earlier = running.putIfAbsent(convId, handle);
        if (earlier != null) {
            return earlier;
        }
        run(handle, true);
        return handle;
    }

    /**
     * {@return the prompt material for the next model call}: the pinned system message, the
     * compressed context and the recent rounds; all empty for a conversation never stored
     *
     * @param convId the conversation
     */
    public PromptContext context(String convId) {
        Optional<ConversationState> state = store.load(convId);
        return state.map(s -> new PromptContext(convId, s.pinnedSystem(),
                        currentContext(s), s.recentRounds()))
                .orElseGet(() -> new PromptContext(convId, Optional.empty(), "", List.of()));
    }

    /**
     * {@return the prompt material for a question, fitted to a token budget}: the pinned system
     * message, the compressed context, the whole earlier rounds that recall finds for the
     * question (marked as recalled, with their seq and time), and the recent rounds. The budget
     * is filled in this order: the pinned system message and the newest round (always); the
     * compressed context; found rounds, best match first, within half of what is left (so the
     * dialogue keeps room); recent rounds, newest first, while each fits (a found one among them
     * joins the dialogue instead of being recalled); then the found rounds there was no room for
     * before, best first. Rounds are taken whole, so no tool call loses its result; a blank question, or an
     * engine without recall, recalls nothing. All empty for a conversation never stored.
     *
     * @param convId      the conversation
     * @param question    what the next model call is about, in plain words
     * @param tokenBudget the most estimated tokens of the material, at least 1 (the pinned system
     *                    message and the newest round are kept even if they alone pass it)
     * @throws PalimpsestException of kind {@code INVALID_INPUT} for a budget below 1
     */
    public PromptContext context(String convId, String question, long tokenBudget) {
        Objects.requireNonNull(question, "question");
        if (tokenBudget < 1) {
            throw PalimpsestException.invalid("a context's token budget must be at least 1, was "
                    + tokenBudget);
        }
        Optional<ConversationState> loaded = store.load(convId);
        if (loaded.isEmpty()) {
            return new PromptContext(convId, Optional.empty(), "", List.of());
        }
        ConversationState state = loaded.get();
        List<Round> found = new ArrayList<>();
        if (recall.isPresent() && !question.isBlank()) {
            Map<Long, Round> recent = new HashMap<>();
            for (Round r : state.recentRounds()) {
                recent.put(r.seq(), r);
            }
            Set<Long> seen = new HashSet<>();
            String text = question.length() > RecallQuery.MAX_TEXT_CHARS
                    ? question.substring(0, RecallQuery.MAX_TEXT_CHARS) : question;
            for (RecallHit hit : recall.get().search(RecallQuery.in(convId, text, RECALL_HITS))) {
                long round = hit.message().roundSeq();
                if (!seen.add(round)) {
                    continue;
                }
                Round whole = recent.get(round);
                if (whole == null) {
                    List<Round> read = store.rounds(convId, round, 1);
                    whole = read.isEmpty() || read.get(0).seq() != round ? null : read.get(0);
                }
                if (whole != null) {
                    found.add(whole);
                }
            }
        }
        return ContextFit.fit(state, currentContext(state), found, tokenBudget,
                this::contextTokens);
    }

    /** The compressed context as a prompt shows it: without what a recent round superseded. */
    private String currentContext(ConversationState state) {
        try {
            return summarizer.withoutSuperseded(state.compressedContext(), state.recentRounds());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "summarizer failed to filter the context of '"
                    + state.convId() + "' (shown as stored): " + e);
            return state.compressedContext();
        }
    }

    /** The messages a question's recall asks for: their distinct rounds are the candidates. */
    static final int RECALL_HITS = 24;

    /**
     * {@return the messages that match {@code query}, best first}: in one conversation or all,
     * through this engine's recall
     *
     * @param query what to look for
     * @throws PalimpsestException of kind {@code INVALID_INPUT} if the engine has no recall
     */
    public List<RecallHit> search(RecallQuery query) {
        return recall.orElseThrow(() -> PalimpsestException.invalid("this engine has no recall:"
                + " give its builder one (ConversationEngine.Builder.recall)")).search(query);
    }

    /**
     * Deletes a conversation from the store and, if this engine has a recall, erases it from the
     * recall before returning; see {@link ConversationStore#delete} and {@link Recall#erase}.
     *
     * @param convId the conversation
     * @return whether the store had anything to delete
     */
    public boolean delete(String convId) {
        boolean existed = store.delete(convId);
        // Erased even if the store had nothing: an earlier delete may have failed to erase.
        recall.ifPresent(r -> r.erase(convId));
        return existed;
    }

    private static void tellRecall(Recall recall, String convId, AppendResult appended) {
        try {
            recall.appended(convId, appended.messages());
        } catch (RuntimeException e) {
            // The messages are durable; the recall indexes them from the store at its next
            // search, so an indexing failure costs time, never a message.
            LOG.log(System.Logger.Level.WARNING, "recall was not told of the append to '"
                    + convId + "' (its next search reads it from the store): " + e);
        }
    }

    /**
     * {@return the current state of a conversation, or empty if it was never stored}
     *
     * @param convId the conversation
     */
    public Optional<ConversationState> state(String convId) {
        return store.load(convId);
    }

    /**
     * {@return up to {@code limit} messages from message {@code fromSeq} on, compacted or not}
     *
     * @param convId  the conversation
     * @param fromSeq the first message's seq, at least 1
     * @param limit   the most messages returned, at least 0
     */
    public List<StoredMessage> messages(String convId, long fromSeq, int limit) {
        return store.messages(convId, fromSeq, limit);
    }

    /**
     * {@return up to {@code limit} whole rounds from round {@code fromRound} on, compacted or not}
     *
     * @param convId    the conversation
     * @param fromRound the first round's seq, at least 1
     * @param limit     the most rounds returned, at least 0
     */
    public List<Round> rounds(String convId, long fromRound, int limit) {
        return store.rounds(convId, fromRound, limit);
    }

    /**
     * Closes the engine: new appends and compactions are refused, compactions in flight get the
     * close timeout to end, then their summarizer calls are interrupted; see the class comment.
     * Does not close the store. Calling it again does nothing.
     */
    @Override
    public void close() {
        closed = true;
        long deadline = System.nanoTime() + closeTimeout.toNanos();
        if (!awaitRunning(deadline)) {
            cancelling = true;
            for (CompactionHandle handle : running.values()) {
                handle.interruptSummarizer();
            }
            if (!awaitRunning(System.nanoTime() + CANCEL_GRACE.toNanos())) {
                for (CompactionHandle handle : running.values()) {
                    // Queued on an executor that never ran it: it will find the engine closed.
                    finish(handle, CompactionOutcome.of(CompactionOutcome.Status.CANCELLED));
                }
            }
        }
    }

    /** Waits for every compaction in flight until {@code deadline}; tells if all ended. */
    private boolean awaitRunning(long deadline) {
        for (CompactionHandle handle : running.values()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return running.isEmpty();
            }
            try {
                handle.await(Duration.ofNanos(left));
            } catch (TimeoutException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return running.isEmpty();
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the engine is closed");
        }
    }

    /** Starts a policy-driven compaction, or joins the one this engine runs already. */
    private CompactionHandle start(String convId, boolean onDemand) {
        CompactionHandle handle = new CompactionHandle(convId);
        CompactionHandle earlier = running.putIfAbsent(convId, handle);
        if (earlier != null) {
            return earlier;
        }
        if (executor.isEmpty()) {
            run(handle, onDemand);
            return handle;
        }
        try {
            executor.get().execute(() -> run(handle, onDemand));
        } catch (RejectedExecutionException e) {
            finish(handle, CompactionOutcome.failed(new PalimpsestException(FailureKind.IO,
                    convId, "the executor refused the compaction of '" + convId + "': "
                    + oneLine(e), e)));
        }
        return handle;
    }

    private void run(CompactionHandle handle, boolean onDemand) {
        if (handle.isDone()) {
            return; // cancelled by close() while it waited on the executor
        }
        CompactionOutcome outcome;
        try {
            outcome = cancelling ? CompactionOutcome.of(CompactionOutcome.Status.CANCELLED)
                    : compactNow(handle, onDemand);
        } catch (PalimpsestException e) {
            outcome = CompactionOutcome.failed(e);
        } catch (RuntimeException e) {
            outcome = CompactionOutcome.failed(new PalimpsestException(FailureKind.IO,
                    handle.convId(), "compaction of '" + handle.convId() + "' failed: "
                    + oneLine(e), e));
        }
        if (outcome.status() == CompactionOutcome.Status.FAILED) {
            PalimpsestException failure = outcome.failure().orElseThrow();
            // One line for operators; the trace only when debugging, as the outcome says it all.
            LOG.log(System.Logger.Level.WARNING, "compaction of '" + handle.convId()
                    + "' failed: " + oneLine(failure));
            LOG.log(System.Logger.Level.DEBUG, "compaction of '" + handle.convId() + "' failed",
                    failure);
        }
        finish(handle, outcome);
    }

    private void finish(CompactionHandle handle, CompactionOutcome outcome) {
        // Leave the table first, so an append that finds the handle done can start the next one.
        running.remove(handle.convId(), handle);
        if (handle.isDone()) {
            return;
        }
        if (outcome.status() != CompactionOutcome.Status.NOT_NEEDED) {
            try {
                listener.onCompaction(handle.convId(), outcome);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "compaction listener failed for '"
                        + handle.convId() + "': " + oneLine(e));
                LOG.log(System.Logger.Level.DEBUG, "compaction listener failed", e);
            }
        }
        handle.complete(outcome);
    }

    /** Plans, summarizes and commits one compaction; store failures are thrown. */
    private CompactionOutcome compactNow(CompactionHandle handle, boolean onDemand) {
        String convId = handle.convId();
        Optional<ConversationState> loaded = store.load(convId);
        if (loaded.isEmpty()) {
            return CompactionOutcome.NOT_NEEDED;
        }
        ConversationState planned = loaded.get();
        int fold = onDemand ? policy.roundsToFoldOnDemand(planned.counters())
                : policy.roundsToFold(planned.counters());
        if (fold == 0) {
            return CompactionOutcome.NOT_NEEDED;
        }
        // The claim outlasts the longest summary, so a live holder never loses it midway.
        if (!store.claimCompaction(convId, claimHolder, summarizerTimeout.plus(CLAIM_MARGIN))) {
            return CompactionOutcome.of(CompactionOutcome.Status.CLAIMED_ELSEWHERE);
        }
        try {
            return foldClaimed(handle, planned, fold);
        } finally {
            try {
                store.releaseCompaction(convId, claimHolder);
            } catch (PalimpsestException e) {
                // The lease runs out on its own; the outcome of the compaction is what counts.
                LOG.log(System.Logger.Level.WARNING, "releasing the compaction claim of '"
                        + convId + "' failed: " + oneLine(e));
            }
        }
    }

    /** Summarizes and commits a compaction this engine holds the claim of. */
    private CompactionOutcome foldClaimed(CompactionHandle handle, ConversationState planned,
                                          int fold) {
        String convId = handle.convId();
        List<Round> evicted = List.copyOf(planned.recentRounds().subList(0, fold));
        SummaryRequest request = new SummaryRequest(convId, planned.compressedContext(), evicted);
        String summary;
        try {
            summary = summarize(request, handle);
        } catch (PalimpsestException e) {
            if (cancelling) {
                return CompactionOutcome.of(CompactionOutcome.Status.CANCELLED);
            }
            countFailure(convId, e);
            return CompactionOutcome.failed(e);
        }
        if (cancelling) {
            return CompactionOutcome.of(CompactionOutcome.Status.CANCELLED);
        }
        if (!stillTheSame(convId, planned, evicted)) {
            return CompactionOutcome.of(CompactionOutcome.Status.DROPPED);
        }
        try {
            store.commitCompaction(new CompactionRequest(convId,
                    planned.counters().compactedRounds(), request.throughRound(), summary,
                    contextTokens(summary), clock.instant()));
        } catch (PalimpsestException e) {
            if (e.kind() == FailureKind.CONFLICT || e.kind() == FailureKind.NOT_FOUND) {
                return CompactionOutcome.of(CompactionOutcome.Status.DROPPED);
            }
            throw e;
        }
        return CompactionOutcome.committed(fold);
    }

    /**
     * Tells whether the folded rounds are still the oldest recent rounds, after the same
     * compressed context. The store's commit rejects a compaction that follows another one; this
     * also catches a conversation deleted and started again while the summarizer ran, whose
     * counters may match, so that the summary of erased text never lands in the new one.
     */
    private boolean stillTheSame(String convId, ConversationState planned, List<Round> evicted) {
        Optional<ConversationState> now = store.load(convId);
        if (now.isEmpty()) {
            return false;
        }
        ConversationState current = now.get();
        return current.counters().compactedRounds() == planned.counters().compactedRounds()
                && current.compressedContext().equals(planned.compressedContext())
                && current.recentRounds().size() >= evicted.size()
                && current.recentRounds().subList(0, evicted.size()).equals(evicted);
    }

    private void countFailure(String convId, PalimpsestException failure) {
        try {
            store.recordCompactionFailure(convId, clock.instant());
        } catch (PalimpsestException e) {
            if (e.kind() != FailureKind.NOT_FOUND) {
                // The summarizer's failure is the one to report; the uncounted one rides along.
                failure.addSuppressed(e);
                LOG.log(System.Logger.Level.WARNING, "counting a failed compaction of '"
                        + convId + "' failed: " + oneLine(e));
            }
        }
    }

    private String summarize(SummaryRequest request, CompactionHandle handle) {
        String convId = request.convId();
        String summary = BoundedCall.call(() -> summarizer.summarize(request), summarizerTimeout,
                "palimpsest-summarizer " + convId, convId, handle::summarizing);
        if (summary == null) {
            throw summarizerFailure(convId, "summarizer returned null for '" + convId + "'");
        }
        if (summary.isBlank()) {
            throw summarizerFailure(convId, "summarizer returned a blank summary for '" + convId
                    + "'");
        }
        if (hasUnpairedSurrogate(summary)) {
            throw summarizerFailure(convId, "summarizer returned text with an unpaired "
                    + "surrogate for '" + convId + "'");
        }
        return summary;
    }

    private static PalimpsestException summarizerFailure(String convId, String message) {
        return new PalimpsestException(FailureKind.SUMMARIZER, convId, message);
    }

    /**
     * {@return the token estimate of one message}: its text, its tool calls' names and
     * arguments, its tool name, and {@link #MESSAGE_OVERHEAD_TOKENS}
     *
     * @param message the message
     */
    public long tokens(Message message) {
        long tokens = MESSAGE_OVERHEAD_TOKENS + tokenCounter.count(message.content());
        for (ToolCall call : message.toolCalls()) {
            tokens += tokenCounter.count(call.name()) + tokenCounter.count(call.arguments())
                    + MESSAGE_OVERHEAD_TOKENS;
        }
        if (message.toolName().isPresent()) {
            tokens += tokenCounter.count(message.toolName().get());
        }
        return tokens;
    }

    private long contextTokens(String context) {
        return context.isEmpty() ? 0 : tokenCounter.count(context) + MESSAGE_OVERHEAD_TOKENS;
    }

    private static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    /** Returns an exception's message on one bounded line, for outcomes and logs. */
    static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String line = message.replaceAll("\\s+", " ").strip();
        if (line.length() > MAX_MESSAGE_CHARS) {
            int end = MAX_MESSAGE_CHARS;
            if (Character.isHighSurrogate(line.charAt(end - 1))) {
                end--;
            }
            line = line.substring(0, end) + "...";
        }
        return line;
    }

    /** Builds a {@link ConversationEngine}; see {@link ConversationEngine#builder}. */
    public static final class Builder {
        private final ConversationStore store;
        private CompactionPolicy policy = CompactionPolicy.DEFAULT;
        private Summarizer summarizer = ExtractiveSummarizer.withDefaultBudget();
        private TokenCounter tokenCounter = TokenCounter.estimating();
        private Clock clock = Clock.systemUTC();
        private Executor executor;
        private CompactionListener listener = (convId, outcome) -> { };
        private Duration summarizerTimeout = DEFAULT_SUMMARIZER_TIMEOUT;
        private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
        private Recall recall;

        private Builder(ConversationStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * Sets the recall that {@link ConversationEngine#search} and the context for a question
         * search, that appends are told of, and that {@link ConversationEngine#delete} erases
         * from. The engine does not close it. Without one, no question recalls anything.
         *
         * @param value the recall over this engine's store
         * @return this builder
         */
        public Builder recall(Recall value) {
            this.recall = Objects.requireNonNull(value, "recall");
            return this;
        }

        /**
         * Sets when to compact and how much.
         *
         * @param value the policy
         * @return this builder
         */
        public Builder policy(CompactionPolicy value) {
            this.policy = Objects.requireNonNull(value, "policy");
            return this;
        }

        /**
         * Sets what folds evicted rounds into the compressed context.
         *
         * @param value the summarizer
         * @return this builder
         */
        public Builder summarizer(Summarizer value) {
            this.summarizer = Objects.requireNonNull(value, "summarizer");
            return this;
        }

        /**
         * Sets how tokens are estimated for the counters and the policy.
         *
         * @param value the token counter
         * @return this builder
         */
        public Builder tokenCounter(TokenCounter value) {
            this.tokenCounter = Objects.requireNonNull(value, "tokenCounter");
            return this;
        }

        /**
         * Sets the clock that stamps messages and compactions.
         *
         * @param value the clock
         * @return this builder
         */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /**
         * Makes appends hand compactions to {@code value} instead of running them in the calling
         * thread; the append's handle and the listener then tell when each ends.
         *
         * @param value the executor, owned by the caller
         * @return this builder
         */
        public Builder executor(Executor value) {
            this.executor = Objects.requireNonNull(value, "executor");
            return this;
        }

        /**
         * Sets the listener that hears every compaction's outcome.
         *
         * @param value the listener
         * @return this builder
         */
        public Builder listener(CompactionListener value) {
            this.listener = Objects.requireNonNull(value, "listener");
            return this;
        }

        /**
         * Sets how long one summarizer call may take; a call that overruns it is interrupted and
         * counted as a failure.
         *
         * @param value the timeout, positive
         * @return this builder
         */
        public Builder summarizerTimeout(Duration value) {
            this.summarizerTimeout = positive(value, "summarizerTimeout");
            return this;
        }

        /**
         * Sets how long {@link ConversationEngine#close()} waits for compactions in flight
         * before it interrupts their summarizers.
         *
         * @param value the timeout, zero or positive
         * @return this builder
         */
        public Builder closeTimeout(Duration value) {
            Objects.requireNonNull(value, "closeTimeout");
            if (value.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be >= 0, was " + value);
            }
            this.closeTimeout = value;
            return this;
        }

        private static Duration positive(Duration value, String name) {
            Objects.requireNonNull(value, name);
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, was " + value);
            }
            return value;
        }

        /** {@return the engine} */
        public ConversationEngine build() {
            return new ConversationEngine(this);
        }
    }
}
