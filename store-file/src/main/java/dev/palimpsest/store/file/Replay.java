package dev.palimpsest.store.file;

import dev.palimpsest.format.LogRecord;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rebuilds a state from log records, checking that each follows: its revision is the next one,
 * its messages are numbered and split into rounds as the change rules say, a compaction folds
 * rounds that exist and leaves the newest. A record that does not follow is damage. Mutable, so
 * that replaying a long log costs one step per message instead of one copy of the window.
 *
 * <p>A replay may also start from a checkpoint's head alone ({@link #ofHead}): its counters and
 * the newest round, without the compressed context, the pinned system message or the older
 * recent rounds. That is all an append needs (the next numbers and the shape of the open round),
 * so a process that only appends never parses the window. Such a replay applies appends and
 * failures; a compaction, or anything that needs the state, needs the whole window
 * ({@link NeedsWindow}).
 */
final class Replay {
    /**
     * Thrown by a replay from a head when it is asked for what only the whole window has; the
     * caller loads the window and carries on. Carries no stack: it is control flow.
     */
    static final class NeedsWindow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NeedsWindow() {
            super(null, null, false, false);
        }
    }

    /** Whether this replay holds only the newest round, not the window. */
    private final boolean headOnly;
    private final String convId;
    private long revision;
    private Instant updatedAt;
    private Optional<StoredMessage> pinned;
    private String context;
    private final List<Round> rounds;
    private long roundsTotal;
    private long messagesTotal;
    private long compactions;
    private long compactedRounds;
    private long compactedMessages;
    private long failures;
    private long contextTokens;
    private long recentTokens;
    private Optional<Instant> lastCompactedAt;
    /**
     * A record at or before the one holding the newest round's first message; null when this
     * replay does not know (it started from a state whose newest round it did not see open).
     */
    private SegmentLog.Position newestRoundFrom;

    Replay(ConversationState s) {
        this(s, false);
    }

    private Replay(ConversationState s, boolean headOnly) {
        this.headOnly = headOnly;
        convId = s.convId();
        revision = s.revision();
        updatedAt = s.updatedAt();
        pinned = s.pinnedSystem();
        context = s.compressedContext();
        rounds = new ArrayList<>(s.recentRounds());
        Counters c = s.counters();
        roundsTotal = c.roundsTotal();
        messagesTotal = c.messagesTotal();
        compactions = c.compactions();
        compactedRounds = c.compactedRounds();
        compactedMessages = c.compactedMessages();
        failures = c.compactionFailures();
        contextTokens = c.contextTokens();
        recentTokens = c.recentTokens();
        lastCompactedAt = c.lastCompactedAt();
    }

    /**
     * {@return a replay from a checkpoint's head}: its revision, time and counters, and the
     * newest round as the log holds it (empty when there is no round yet)
     *
     * @param convId    the conversation
     * @param revision  the checkpoint's revision
     * @param updatedAt its time
     * @param counters  its counters
     * @param lastRound the round numbered {@code counters.roundsTotal()}, if that is not 0
     */
    static Replay ofHead(String convId, long revision, Instant updatedAt, Counters counters,
                         Optional<Round> lastRound, SegmentLog.Position newestRoundFrom) {
        boolean fits = lastRound.isEmpty() ? counters.roundsTotal() == 0
                : lastRound.get().seq() == counters.roundsTotal()
                        && lastRound.get().lastMessageSeq() == counters.messagesTotal()
                        && lastRound.get().seq() > counters.compactedRounds();
        if (!fits) {
            throw PalimpsestException.invalid("the newest round of '" + convId + "' does not"
                    + " end at its counters' totals");
        }
        Replay r = new Replay(ConversationState.empty(convId), true);
        r.revision = revision;
        r.updatedAt = updatedAt;
        lastRound.ifPresent(r.rounds::add);
        r.roundsTotal = counters.roundsTotal();
        r.messagesTotal = counters.messagesTotal();
        r.compactions = counters.compactions();
        r.compactedRounds = counters.compactedRounds();
        r.compactedMessages = counters.compactedMessages();
        r.failures = counters.compactionFailures();
        r.contextTokens = counters.contextTokens();
        r.recentTokens = counters.recentTokens();
        r.lastCompactedAt = counters.lastCompactedAt();
        r.newestRoundFrom = newestRoundFrom;
        return r;
    }

    /** {@return whether this replay holds only the newest round, not the window} */
    boolean headOnly() {
        return headOnly;
    }

    long revision() {
        return revision;
    }

    Instant updatedAt() {
        return updatedAt;
    }

    /** {@return a record at or before the newest round's first message; null if unknown} */
    SegmentLog.Position newestRoundFrom() {
        return newestRoundFrom;
    }

    Counters counters() {
        return new Counters(roundsTotal, messagesTotal, compactions, compactedRounds,
                compactedMessages, failures, contextTokens, recentTokens, lastCompactedAt);
    }

    Optional<Round> lastRound() {
        return rounds.isEmpty() ? Optional.empty() : Optional.of(rounds.get(rounds.size() - 1));
    }

    void apply(LogRecord record, SegmentLog log, SegmentLog.Position at) {
        if (record.revision() != revision + 1) {
            throw log.corrupt(at.segment(), at.offset(), "record of revision "
                    + record.revision() + " follows revision " + revision);
        }
        try {
            if (record instanceof LogRecord.Append a) {
                for (StoredMessage m : a.messages()) {
                    appendOne(m, log, at);
                }
            } else if (record instanceof LogRecord.Compaction c) {
                if (headOnly) {
                    throw new NeedsWindow();
                }
                int folded = (int) (c.throughRound() - compactedRounds);
                if (folded < 1 || c.throughRound() > roundsTotal) {
                    throw log.corrupt(at.segment(), at.offset(), "a compaction through round "
                            + c.throughRound() + " after " + compactedRounds + " of "
                            + roundsTotal + " rounds");
                }
                List<Round> gone = rounds.subList(0, folded);
                for (Round r : gone) {
                    compactedMessages += r.messages().size();
                    recentTokens -= r.tokens();
                }
                gone.clear();
                compactedRounds += folded;
                compactions++;
                context = c.compressedContext();
                contextTokens = c.contextTokens();
                lastCompactedAt = Optional.of(c.at());
            } else {
                failures++;
            }
        } catch (PalimpsestException e) {
            if (e.kind() == FailureKind.CORRUPT) {
                throw e;
            }
            throw log.corrupt(at.segment(), at.offset(), e.getMessage());
        }
        revision = record.revision();
        updatedAt = record.at();
    }

    private void appendOne(StoredMessage m, SegmentLog log, SegmentLog.Position at) {
        Optional<Round> current = rounds.isEmpty() ? Optional.empty()
                : Optional.of(rounds.get(rounds.size() - 1));
        boolean opens = Round.opensNewRound(current, m.message());
        long expectedRound = opens ? roundsTotal + 1 : current.orElseThrow().seq();
        if (m.seq() != messagesTotal + 1 || m.roundSeq() != expectedRound) {
            throw log.corrupt(at.segment(), at.offset(), String.format(
                    "message %d of round %d should be message %d of round %d",
                    m.seq(), m.roundSeq(), messagesTotal + 1, expectedRound));
        }
        if (opens) {
            if (headOnly) {
                // Only the newest round is needed to append after it.
                rounds.clear();
            }
            rounds.add(new Round(expectedRound, List.of(m)));
            roundsTotal++;
            newestRoundFrom = at;
        } else {
            current.get().checkJoins(m.message());
            List<StoredMessage> grown = new ArrayList<>(current.get().messages());
            grown.add(m);
            rounds.set(rounds.size() - 1, new Round(expectedRound, grown));
        }
        messagesTotal++;
        recentTokens += m.tokens();
        if (m.role() == Role.SYSTEM) {
            pinned = Optional.of(m);
        }
    }

    ConversationState state() {
        if (headOnly) {
            throw new NeedsWindow();
        }
        try {
            return new ConversationState(convId, revision, updatedAt, pinned, context, rounds,
                    counters());
        } catch (PalimpsestException e) {
            throw new PalimpsestException(FailureKind.CORRUPT, convId,
                    "log of '" + convId + "' does not replay to a valid state: " + e.getMessage(),
                    e);
        }
    }
}
