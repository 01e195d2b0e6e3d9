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
 */
final class Replay {
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

    Replay(ConversationState s) {
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

    long revision() {
        return revision;
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
            rounds.add(new Round(expectedRound, List.of(m)));
            roundsTotal++;
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
