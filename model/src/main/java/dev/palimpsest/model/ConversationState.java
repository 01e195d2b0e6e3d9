package dev.palimpsest.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The state of one conversation: its compressed context, its most recent rounds verbatim, the
 * pinned system message, and its counters. The transitions ({@link #withAppended},
 * {@link #withCompaction}, {@link #withCompactionFailure}) are defined here once, so every store
 * and every replay of a log reaches the same state from the same changes.
 *
 * @param convId            the conversation's id
 * @param revision          the number of changes committed; 0 for a conversation never stored
 * @param updatedAt         when the last change committed
 * @param pinnedSystem      the newest system message ever appended; compaction never folds it
 *                          away, and a prompt renders it first
 * @param compressedContext the summary of the compacted rounds
 * @param recentRounds      the rounds not compacted yet, contiguous, ending with the newest
 * @param counters          the counters
 */
public record ConversationState(String convId, long revision, Instant updatedAt,
                                Optional<StoredMessage> pinnedSystem, String compressedContext,
                                List<Round> recentRounds, Counters counters) {

    /**
     * Validates the state against its counters; see the component descriptions.
     *
     * @param convId            the conversation's id
     * @param revision          the number of changes committed; 0 for a conversation never stored
     * @param updatedAt         when the last change committed
     * @param pinnedSystem      the newest system message ever appended; compaction never folds it
     *                          away, and a prompt renders it first
     * @param compressedContext the summary of the compacted rounds
     * @param recentRounds      the rounds not compacted yet, contiguous, ending with the newest
     * @param counters          the counters
     */
    public ConversationState {
        Checks.nonEmptyText(convId, "convId");
        Checks.atLeast(revision, 0, "revision of '" + convId + "'");
        Checks.notNull(updatedAt, "updatedAt of '" + convId + "'");
        Checks.notNull(pinnedSystem, "pinnedSystem of '" + convId + "'");
        Checks.text(compressedContext, "compressedContext of '" + convId + "'");
        recentRounds = Checks.listCopy(recentRounds, "recentRounds of '" + convId + "'");
        Checks.notNull(counters, "counters of '" + convId + "'");
        checkAgainstCounters(convId, pinnedSystem, recentRounds, counters);
    }

    private static void checkAgainstCounters(String convId, Optional<StoredMessage> pinned,
                                             List<Round> rounds, Counters c) {
        long round = c.compactedRounds() + 1;
        long message = c.compactedMessages() + 1;
        long tokens = 0;
        long newestSystem = 0;
        for (Round r : rounds) {
            if (r.seq() != round || r.firstMessageSeq() != message) {
                throw PalimpsestException.invalid(String.format(
                        "recent rounds of '%s' must be contiguous: expected round %d from message"
                                + " %d, was round %d from message %d",
                        convId, round, message, r.seq(), r.firstMessageSeq()));
            }
            round++;
            message = r.lastMessageSeq() + 1;
            tokens += r.tokens();
            long s = r.newestSystemMessage().map(StoredMessage::seq).orElse(0L);
            newestSystem = Math.max(newestSystem, s);
        }
        if (round - 1 != c.roundsTotal() || message - 1 != c.messagesTotal()) {
            throw PalimpsestException.invalid(String.format(
                    "counters of '%s' say %d rounds and %d messages, the recent rounds end at"
                            + " round %d and message %d",
                    convId, c.roundsTotal(), c.messagesTotal(), round - 1, message - 1));
        }
        if (tokens != c.recentTokens()) {
            throw PalimpsestException.invalid(String.format(
                    "recentTokens of '%s' is %d, its recent rounds hold %d",
                    convId, c.recentTokens(), tokens));
        }
        if (pinned.isPresent()) {
            StoredMessage p = pinned.get();
            if (p.role() != Role.SYSTEM || p.seq() > c.messagesTotal()
                    || p.seq() < newestSystem) {
                throw PalimpsestException.invalid(String.format(
                        "pinned system message of '%s' must be its newest system message,"
                                + " was a %s message at %d",
                        convId, p.role().wireName(), p.seq()));
            }
        } else if (newestSystem > 0) {
            throw PalimpsestException.invalid("pinned system message of '" + convId
                    + "' is missing, message " + newestSystem + " is one");
        }
    }

    /**
     * {@return a conversation that was never stored: revision 0, nothing in it}
     *
     * @param convId the conversation's id
     */
    public static ConversationState empty(String convId) {
        return new ConversationState(convId, 0, Instant.EPOCH, Optional.empty(), "", List.of(),
                Counters.ZERO);
    }

    /** {@return whether any change of this conversation was ever committed} */
    public boolean isStored() {
        return revision > 0;
    }

    /** {@return the seq the next appended message gets} */
    public long nextMessageSeq() {
        return counters.messagesTotal() + 1;
    }

    /** {@return the newest round, unless there is none or it was compacted} */
    public Optional<Round> lastRound() {
        return recentRounds.isEmpty() ? Optional.empty()
                : Optional.of(recentRounds.get(recentRounds.size() - 1));
    }

    /**
     * {@return this state after appending {@code messages}}
     *
     * @param messages    the messages, numbered from {@link #nextMessageSeq()} and split into
     *                    rounds as {@link Round#opensNewRound} says
     * @param newRevision the revision of the change
     * @param at          when the change commits
     */
    public ConversationState withAppended(List<StoredMessage> messages, long newRevision,
                                          Instant at) {
        Checks.notNull(messages, "appended messages");
        List<Round> rounds = new ArrayList<>(recentRounds);
        List<StoredMessage> open = new ArrayList<>();
        long openSeq = 0;
        if (!rounds.isEmpty() && !messages.isEmpty()
                && messages.get(0).roundSeq() == rounds.get(rounds.size() - 1).seq()) {
            Round last = rounds.remove(rounds.size() - 1);
            open.addAll(last.messages());
            openSeq = last.seq();
        }
        long tokens = 0;
        long newRounds = 0;
        Optional<StoredMessage> pinned = pinnedSystem;
        for (StoredMessage m : messages) {
            if (m.roundSeq() != openSeq) {
                if (!open.isEmpty()) {
                    rounds.add(new Round(openSeq, open));
                    open = new ArrayList<>();
                }
                openSeq = m.roundSeq();
                newRounds++;
            }
            open.add(m);
            tokens += m.tokens();
            if (m.role() == Role.SYSTEM) {
                pinned = Optional.of(m);
            }
        }
        if (!open.isEmpty()) {
            rounds.add(new Round(openSeq, open));
        }
        return new ConversationState(convId, newRevision, at, pinned, compressedContext, rounds,
                counters.withAppended(newRounds, messages.size(), tokens));
    }

    /**
     * {@return this state after a compaction folded the rounds up to {@code throughRound}}
     *
     * @param throughRound     the last round folded; the rounds before it must be folded too
     * @param newContext       the new compressed context
     * @param newContextTokens its token estimate
     * @param newRevision      the revision of the change
     * @param at               when the change commits
     */
    public ConversationState withCompaction(long throughRound, String newContext,
                                            long newContextTokens, long newRevision, Instant at) {
        int folded = (int) (throughRound - counters.compactedRounds());
        if (folded < 1 || folded > recentRounds.size()) {
            throw PalimpsestException.invalid(String.format(
                    "a compaction of '%s' must fold recent rounds %d to %d, was through round %d",
                    convId, counters.compactedRounds() + 1, counters.roundsTotal(),
                    throughRound));
        }
        long messages = 0;
        long tokens = 0;
        for (Round r : recentRounds.subList(0, folded)) {
            messages += r.messages().size();
            tokens += r.tokens();
        }
        return new ConversationState(convId, newRevision, at, pinnedSystem, newContext,
                recentRounds.subList(folded, recentRounds.size()),
                counters.withCompaction(folded, messages, tokens, newContextTokens, at));
    }

    /**
     * {@return this state after a compaction failed: only its counter changes}
     *
     * @param newRevision the revision of the change
     * @param at          when the change commits
     */
    public ConversationState withCompactionFailure(long newRevision, Instant at) {
        return new ConversationState(convId, newRevision, at, pinnedSystem, compressedContext,
                recentRounds, counters.withCompactionFailure());
    }
}
