package dev.palimpsest.engine;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.internal.BoundedCall;
import dev.palimpsest.engine.internal.TranscriptIterator;
import dev.palimpsest.engine.summarizer.ExtractiveSummarizer;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Appends rounds to conversations and compacts them, on top of a {@link ConversationStore}: what
 * an agent daemon calls on every round.
 *
 * <p><b>Append.</b> {@link #append(String, RoundInput)} gives the round
 * {@code seq = rounds_total + 1} and stores it through the store's locked
 * {@link ConversationStore#update update} before anything else happens, so appends from many
 * threads and processes never lose or duplicate a round and sequence numbers stay contiguous.
 * With an expected sequence number the append is idempotent (see {@link RoundInput#expectingSeq}).
 * Nothing on the append path reads the archive or grows with the conversation's history: the
 * token counters are kept incrementally.
 *
 * <p><b>Compaction</b> follows a durable append when the {@link CompactionPolicy} says so: in the
 * calling thread by default, or on the executor given to the builder. It has two phases, so a slow
 * summarizer never blocks appends: the plan (which rounds, from which state) is read from the
 * store, the summarizer runs without any lock, and the commit runs under the conversation's lock:
 * if the planned rounds are still the oldest recent rounds, they are appended to the archive and
 * then the state without them is stored (rounds appended meanwhile are kept); if another engine
 * compacted them first, the summary is dropped. A crash between the two writes leaves rounds in
 * both the archive and the state, never in neither; the transcript de-duplicates them. A failed
 * or timed-out summarizer leaves the rounds verbatim and is counted in
 * {@code compaction_failures}; the next append tries again.
 *
 * <p>An engine is thread-safe and holds no per-conversation state beyond which conversations it
 * is compacting right now (so that one slow compaction is not started twice by this engine).
 */
public final class ConversationEngine {
    /** Tokens one chat message's framing (role, separators) costs beyond its text. */
    static final long MESSAGE_OVERHEAD_TOKENS = 4;

    /** How long one summarizer call may take by default. */
    public static final Duration DEFAULT_SUMMARIZER_TIMEOUT = Duration.ofMinutes(5);

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
    private final Set<String> compacting = ConcurrentHashMap.newKeySet();

    private ConversationEngine(Builder builder) {
        this.store = builder.store;
        this.policy = builder.policy;
        this.summarizer = builder.summarizer;
        this.tokenCounter = builder.tokenCounter;
        this.clock = builder.clock;
        this.executor = Optional.ofNullable(builder.executor);
        this.listener = builder.listener;
        this.summarizerTimeout = builder.summarizerTimeout;
    }

    /**
     * Starts an engine on a store, with the defaults: {@link CompactionPolicy#DEFAULT}, the
     * {@link ExtractiveSummarizer} with its default budget, {@link TokenCounter#estimating()},
     * the system UTC clock, compaction in the calling thread, no listener, and
     * {@link #DEFAULT_SUMMARIZER_TIMEOUT}.
     *
     * @param store the store the engine reads and writes; the engine does not close it
     * @return a builder
     */
    public static Builder builder(ConversationStore store) {
        return new Builder(store);
    }

    /**
     * Returns the policy this engine compacts by.
     *
     * @return the policy
     */
    public CompactionPolicy policy() {
        return policy;
    }

    /**
     * Appends a round without metadata; see {@link #append(String, RoundInput)}.
     *
     * @param convId    the conversation
     * @param user      the user's text
     * @param assistant the assistant's text
     * @return the round, the state, and what became of compaction
     */
    public AppendResult append(String convId, String user, String assistant) {
        return append(convId, RoundInput.of(user, assistant));
    }

    /**
     * Appends a round: it gets {@code seq = rounds_total + 1} and is durable before anything else
     * happens; then the conversation is compacted if the policy says so.
     *
     * <p>With {@link RoundInput#expectedSeq()}: if the conversation already holds a round at that
     * number with the same user and assistant texts (recent, or already archived), that round is
     * returned and nothing is written, so a retry after a crash or a "durability unknown" error
     * never duplicates a round; if the number is the next one, the round is appended; otherwise
     * a {@link SequenceConflictException} is thrown.
     *
     * <p>Once the round is durable, this method throws only for a conflict found before it was
     * written: a compaction that fails afterwards (summarizer or store) is reported in the
     * result and to the listener, never thrown.
     *
     * @param convId the conversation
     * @param input  the round to append
     * @return the round, the state, and what became of compaction
     * @throws SequenceConflictException if an expected sequence number does not hold
     * @throws dev.palimpsest.core.InvalidModelException if a text or the metadata is invalid
     *                                   (an unpaired surrogate, an empty metadata key)
     * @throws StoreException            if the store could not load or save the conversation
     */
    public AppendResult append(String convId, RoundInput input) {
        Objects.requireNonNull(convId, "convId");
        Objects.requireNonNull(input, "input");
        // Validate the texts and count their tokens before taking the lock, so bad input never
        // reaches the store and the lock is held only for the update itself.
        new Round(1, input.user(), input.assistant(), Instant.EPOCH, input.metadata());
        long tokens = roundTokens(input.user(), input.assistant());
        Round[] appended = new Round[1];
        Conversation[] earlier = new Conversation[1];
        Conversation stored = store.update(convId, current -> {
            long next = current.nextSeq();
            if (input.expectedSeq().isPresent()) {
                long expected = input.expectedSeq().getAsLong();
                if (expected > next) {
                    throw new SequenceConflictException(convId, expected, next,
                            "the conversation holds only " + (next - 1) + " rounds");
                }
                if (expected < next) {
                    // A retry of a round that may already be stored: compared below, unlocked,
                    // because stored rounds never change.
                    earlier[0] = current;
                    return current;
                }
            }
            // Stamped under the lock, so creation times follow sequence numbers.
            Instant now = clock.instant();
            Round round = new Round(next, input.user(), input.assistant(), now,
                    input.metadata());
            appended[0] = round;
            Conversation grown = current.withRoundAppended(round, now);
            Counters counters = grown.counters().withTokens(current.counters().contextTokens(),
                    current.counters().recentTokens() + tokens);
            return withCounters(grown, counters);
        });
        Round round = appended[0] != null ? appended[0]
                : storedRoundOfRetry(convId, earlier[0], input);
        Compaction compaction = compactAfterAppend(convId, stored);
        return new AppendResult(round, compaction.state(), compaction.outcome());
    }

    /**
     * Compacts a conversation now, folding its oldest rounds until the policy's
     * {@code keepRounds} remain, whether or not a limit is exceeded. Runs in the calling thread.
     *
     * @param convId the conversation
     * @return {@link CompactionOutcome.Status#COMMITTED}, {@code DROPPED},
     *         {@code NOT_NEEDED} (no more than {@code keepRounds} recent rounds, or no such
     *         conversation) or {@code IN_PROGRESS} (this engine is compacting it already)
     * @throws SummarizerException if the summarizer failed or timed out (the failure is counted
     *                             and reported to the listener first)
     * @throws StoreException      if the store failed
     */
    public CompactionOutcome compact(String convId) {
        Objects.requireNonNull(convId, "convId");
        if (!compacting.add(convId)) {
            return CompactionOutcome.of(CompactionOutcome.Status.IN_PROGRESS);
        }
        try {
            Compaction result = runCompaction(convId, true);
            if (result.outcome().status() != CompactionOutcome.Status.NOT_NEEDED) {
                notifyListener(convId, result.outcome());
            }
            if (result.failure() != null) {
                throw result.failure();
            }
            return result.outcome();
        } finally {
            compacting.remove(convId);
        }
    }

    /**
     * Returns the prompt material for the next model call: the compressed context and the recent
     * rounds.
     *
     * @param convId the conversation
     * @return the context; empty for a conversation never stored
     * @throws StoreException if the store could not load the conversation
     */
    public PromptContext context(String convId) {
        Conversation state = store.load(convId);
        return new PromptContext(state.compressedContext(), state.recentRounds());
    }

    /**
     * Returns the stored state of a conversation.
     *
     * @param convId the conversation
     * @return the state; {@link Conversation#empty(String)} if it was never stored
     * @throws StoreException if the store could not load the conversation
     */
    public Conversation state(String convId) {
        return store.load(convId);
    }

    /**
     * Returns every round ever appended, in order: the archive plus the recent rounds,
     * de-duplicated by sequence number, contiguous from 1. Reads the whole archive; prefer
     * {@link #transcriptStream(String)} or {@link #transcript(String, long, int)} for long
     * conversations.
     *
     * @param convId the conversation
     * @return the rounds; empty for a conversation never stored
     * @throws EngineException if the archive lacks rounds the state says were compacted
     * @throws StoreException  if the store failed
     */
    public List<Round> transcript(String convId) {
        try (Stream<Round> rounds = transcriptStream(convId)) {
            return rounds.collect(Collectors.toUnmodifiableList());
        }
    }

    /**
     * Returns at most {@code limit} rounds of the transcript, starting at sequence number
     * {@code fromSeq}. A range within the recent rounds does not read the archive.
     *
     * @param convId  the conversation
     * @param fromSeq the first sequence number wanted, at least 1
     * @param limit   the most rounds returned, at least 0
     * @return the rounds, in order; empty if {@code fromSeq} is beyond the last round
     * @throws IllegalArgumentException if {@code fromSeq < 1} or {@code limit < 0}
     * @throws EngineException if the archive lacks rounds the state says were compacted
     * @throws StoreException  if the store failed
     */
    public List<Round> transcript(String convId, long fromSeq, int limit) {
        if (fromSeq < 1) {
            throw new IllegalArgumentException("fromSeq must be >= 1, was " + fromSeq);
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        }
        Conversation state = store.load(convId);
        long compacted = state.counters().compactedRounds();
        if (fromSeq > compacted) {
            List<Round> recent = state.recentRounds();
            int from = (int) Math.min(recent.size(), fromSeq - compacted - 1);
            int to = (int) Math.min(recent.size(), (long) from + limit);
            return List.copyOf(recent.subList(from, to));
        }
        try (Stream<Round> rounds = transcriptStream(convId, state)) {
            return rounds.dropWhile(r -> r.seq() < fromSeq).limit(limit)
                    .collect(Collectors.toUnmodifiableList());
        }
    }

    /**
     * Streams every round ever appended, in order, reading the archive lazily; see
     * {@link #transcript(String)}. The stream holds the archive open: close it. It also closes
     * the archive itself once it has read the archived rounds (or failed), so a stream read to
     * its end holds no file; and the file store closes the file of a stream garbage-collected
     * while still open, with a warning (see {@link ConversationStore#archive(String)}).
     *
     * @param convId the conversation
     * @return the rounds; a gap in the archive fails the stream with an {@link EngineException}
     *         when it is reached
     * @throws StoreException if the store failed
     */
    public Stream<Round> transcriptStream(String convId) {
        return transcriptStream(convId, store.load(convId));
    }

    private Stream<Round> transcriptStream(String convId, Conversation state) {
        // The state is read before the archive: every round it says was compacted is in the
        // archive already (the archive is written first), and rounds archived after this read
        // are still among this state's recent rounds.
        long compacted = state.counters().compactedRounds();
        if (compacted == 0) {
            return state.recentRounds().stream();
        }
        Stream<Round> archive = store.archive(convId);
        try {
            Stream<Round> archived = new TranscriptIterator(convId, archive.iterator(), compacted,
                    archive::close).stream().onClose(archive::close);
            return Stream.concat(archived, state.recentRounds().stream());
        } catch (RuntimeException e) {
            archive.close();
            throw e;
        }
    }

    private Round storedRoundOfRetry(String convId, Conversation state, RoundInput input) {
        long expected = input.expectedSeq().orElseThrow();
        long compacted = state.counters().compactedRounds();
        Round stored;
        if (expected > compacted) {
            stored = state.recentRounds().get((int) (expected - compacted - 1));
        } else {
            try (Stream<Round> rounds = transcriptStream(convId, state)) {
                stored = rounds.filter(r -> r.seq() == expected).findFirst().orElseThrow(
                        () -> new EngineException(convId, "transcript of '" + convId
                                + "' lacks round " + expected, null));
            }
        }
        if (!stored.user().equals(input.user()) || !stored.assistant().equals(input.assistant())) {
            throw new SequenceConflictException(convId, expected, state.nextSeq(),
                    "round " + expected + " holds other texts");
        }
        return stored;
    }

    private Compaction compactAfterAppend(String convId, Conversation state) {
        if (policy.roundsToFold(state) == 0) {
            return new Compaction(CompactionOutcome.NOT_NEEDED, state, null);
        }
        if (!compacting.add(convId)) {
            return new Compaction(CompactionOutcome.of(CompactionOutcome.Status.IN_PROGRESS),
                    state, null);
        }
        if (executor.isPresent()) {
            try {
                executor.get().execute(() -> {
                    try {
                        report(convId, runCompactionReportingErrors(convId));
                    } finally {
                        compacting.remove(convId);
                    }
                });
                return new Compaction(CompactionOutcome.of(CompactionOutcome.Status.SCHEDULED),
                        state, null);
            } catch (RejectedExecutionException e) {
                compacting.remove(convId);
                CompactionOutcome outcome = CompactionOutcome.failed(
                        "executor rejected the compaction: " + oneLine(e));
                notifyListener(convId, outcome);
                return new Compaction(outcome, state, null);
            }
        }
        try {
            Compaction result = runCompactionReportingErrors(convId);
            report(convId, result);
            // A store failure after the durable append still returns the appended state.
            return result.state() != null ? result : new Compaction(result.outcome(), state, null);
        } finally {
            compacting.remove(convId);
        }
    }

    private void report(String convId, Compaction result) {
        if (result.outcome().status() != CompactionOutcome.Status.NOT_NEEDED) {
            notifyListener(convId, result.outcome());
        }
    }

    /** Runs a policy-driven compaction and turns every failure into an outcome. */
    private Compaction runCompactionReportingErrors(String convId) {
        try {
            return runCompaction(convId, false);
        } catch (RuntimeException e) {
            // One line for operators; the trace only when debugging, as the outcome says it all.
            LOG.log(System.Logger.Level.WARNING, "compaction of '" + convId + "' failed: "
                    + oneLine(e));
            LOG.log(System.Logger.Level.DEBUG, "compaction of '" + convId + "' failed", e);
            return new Compaction(CompactionOutcome.failed("compaction failed: " + oneLine(e)),
                    null, null);
        }
    }

    /**
     * Plans, summarizes and commits one compaction. A summarizer failure is counted and returned
     * (with the exception, for {@link #compact}); store failures are thrown.
     */
    private Compaction runCompaction(String convId, boolean onDemand) {
        Conversation planned = store.load(convId);
        int fold = onDemand ? policy.roundsToFoldOnDemand(planned) : policy.roundsToFold(planned);
        if (fold == 0) {
            return new Compaction(CompactionOutcome.NOT_NEEDED, planned, null);
        }
        List<Round> evicted = List.copyOf(planned.recentRounds().subList(0, fold));
        String summary;
        try {
            summary = summarize(new SummaryRequest(convId, planned.compressedContext(), evicted));
        } catch (SummarizerException e) {
            Conversation counted;
            try {
                counted = countFailure(convId, planned);
            } catch (StoreException storeFailure) {
                // The summarizer's failure is the one to report; the uncounted one rides along.
                e.addSuppressed(storeFailure);
                LOG.log(System.Logger.Level.WARNING, "counting a failed compaction of '" + convId
                        + "' failed: " + oneLine(storeFailure));
                counted = null;
            }
            return new Compaction(CompactionOutcome.failed(oneLine(e)), counted, e);
        }
        long contextTokens = contextTokens(summary);
        boolean[] committed = new boolean[1];
        Conversation after = store.update(convId, current -> {
            if (!stillOldest(current, planned, evicted)) {
                return current;
            }
            Instant now = clock.instant();
            // Archive first: a crash before the state write leaves the rounds in both places.
            store.appendArchive(convId, evicted);
            List<Round> remaining = current.recentRounds()
                    .subList(fold, current.recentRounds().size());
            long recentTokens = 0;
            for (Round round : remaining) {
                recentTokens += roundTokens(round);
            }
            Counters counters = current.counters().withCompaction(fold, now)
                    .withTokens(contextTokens, recentTokens);
            committed[0] = true;
            return new Conversation(convId, current.revision(), now, summary, remaining,
                    counters);
        });
        CompactionOutcome outcome = committed[0] ? CompactionOutcome.committed(fold)
                : CompactionOutcome.of(CompactionOutcome.Status.DROPPED);
        return new Compaction(outcome, after, null);
    }

    /**
     * Tells whether the planned rounds are still the oldest recent rounds of {@code current},
     * after the same compressed context: then the summary applies to it.
     */
    private static boolean stillOldest(Conversation current, Conversation planned,
                                       List<Round> evicted) {
        Counters now = current.counters();
        Counters then = planned.counters();
        return now.compactedRounds() == then.compactedRounds()
                && now.compactions() == then.compactions()
                && current.recentRounds().size() >= evicted.size()
                && current.compressedContext().equals(planned.compressedContext())
                && current.recentRounds().subList(0, evicted.size()).equals(evicted);
    }

    private Conversation countFailure(String convId, Conversation planned) {
        return store.update(convId, current -> {
            if (current.counters().roundsTotal() < planned.counters().roundsTotal()) {
                return current; // deleted and started again meanwhile: not this failure's state
            }
            return new Conversation(convId, current.revision(), current.updatedAt(),
                    current.compressedContext(), current.recentRounds(),
                    current.counters().withCompactionFailure());
        });
    }

    private String summarize(SummaryRequest request) {
        String summary = BoundedCall.call(() -> summarizer.summarize(request), summarizerTimeout,
                "palimpsest-summarizer", request.convId());
        if (summary == null) {
            throw new SummarizerException(request.convId(),
                    "summarizer returned null for '" + request.convId() + "'", null);
        }
        if (summary.isBlank()) {
            throw new SummarizerException(request.convId(),
                    "summarizer returned a blank summary for '" + request.convId() + "'", null);
        }
        if (hasUnpairedSurrogate(summary)) {
            throw new SummarizerException(request.convId(), "summarizer returned text with an "
                    + "unpaired surrogate for '" + request.convId() + "'", null);
        }
        return summary;
    }

    private void notifyListener(String convId, CompactionOutcome outcome) {
        try {
            listener.onCompaction(convId, outcome);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "compaction listener failed for '" + convId
                    + "': " + oneLine(e));
            LOG.log(System.Logger.Level.DEBUG, "compaction listener failed", e);
        }
    }

    private long roundTokens(Round round) {
        return roundTokens(round.user(), round.assistant());
    }

    private long roundTokens(String user, String assistant) {
        return tokenCounter.count(user) + tokenCounter.count(assistant)
                + 2 * MESSAGE_OVERHEAD_TOKENS;
    }

    private long contextTokens(String context) {
        return context.isEmpty() ? 0 : tokenCounter.count(context) + MESSAGE_OVERHEAD_TOKENS;
    }

    private static Conversation withCounters(Conversation c, Counters counters) {
        return new Conversation(c.convId(), c.revision(), c.updatedAt(), c.compressedContext(),
                c.recentRounds(), counters);
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

    /** One compaction's outcome, the state after it, and the summarizer failure to rethrow. */
    private record Compaction(CompactionOutcome outcome, Conversation state,
                              SummarizerException failure) {
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

        private Builder(ConversationStore store) {
            this.store = Objects.requireNonNull(store, "store");
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
         * Sets the clock that stamps rounds and compactions.
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
         * thread; their results then reach only the listener.
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
         * @throws IllegalArgumentException if the timeout is zero or negative
         */
        public Builder summarizerTimeout(Duration value) {
            Objects.requireNonNull(value, "summarizerTimeout");
            if (value.isZero() || value.isNegative()) {
                throw new IllegalArgumentException(
                        "summarizerTimeout must be positive, was " + value);
            }
            this.summarizerTimeout = value;
            return this;
        }

        /**
         * Builds the engine.
         *
         * @return the engine
         */
        public ConversationEngine build() {
            return new ConversationEngine(this);
        }
    }
}
