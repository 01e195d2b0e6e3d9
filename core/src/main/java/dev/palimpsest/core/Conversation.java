package dev.palimpsest.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole state of one conversation: a compressed context that summarizes older rounds, the
 * most recent rounds verbatim, and counters.
 *
 * <p>A conversation is consistent by construction: the recent rounds are numbered contiguously
 * and end at {@code counters.roundsTotal()}, and every round before them was compacted
 * ({@code roundsTotal == compactedRounds + recentRounds.size()}).
 *
 * @param convId            the conversation's id, not empty
 * @param revision          how many times the conversation was stored; 0 for one never stored
 * @param updatedAt         when the conversation last changed
 * @param compressedContext the summary of the compacted rounds; empty before the first compaction
 * @param recentRounds      the most recent rounds, oldest first; copied in
 * @param counters          the running totals
 */
public record Conversation(String convId, long revision, Instant updatedAt,
                           String compressedContext, List<Round> recentRounds,
                           Counters counters) {

    /**
     * Validates every component, copies the rounds, and checks them against the counters.
     *
     * @param convId            the conversation's id, not empty
     * @param revision          how many times the conversation was stored; 0 for one never stored
     * @param updatedAt         when the conversation last changed
     * @param compressedContext the summary of the compacted rounds; empty before the first
     *                          compaction
     * @param recentRounds      the most recent rounds, oldest first; copied in
     * @param counters          the running totals
     */
    public Conversation {
        Checks.notNull(convId, "convId");
        if (convId.isEmpty()) {
            throw new InvalidModelException("convId must not be empty");
        }
        Checks.text(convId, "convId");
        Checks.atLeast(revision, 0, "revision of '" + convId + "'");
        Checks.notNull(updatedAt, "updatedAt of '" + convId + "'");
        Checks.text(compressedContext, "compressedContext of '" + convId + "'");
        Checks.notNull(recentRounds, "recentRounds of '" + convId + "'");
        Checks.notNull(counters, "counters of '" + convId + "'");
        recentRounds = copyRounds(recentRounds, convId);
        checkAgainstCounters(recentRounds, counters, convId);
    }

    /**
     * Returns the state of a conversation that was never stored: revision 0, no context, no
     * rounds, zero counters, updated at the epoch.
     *
     * @param convId the conversation's id
     * @return the empty conversation
     */
    public static Conversation empty(String convId) {
        return new Conversation(convId, 0, Instant.EPOCH, "", List.of(), Counters.ZERO);
    }

    /**
     * Tells whether this state was ever stored.
     *
     * @return {@code true} if the revision is above 0
     */
    public boolean isStored() {
        return revision > 0;
    }

    /**
     * Returns the sequence number the next appended round gets.
     *
     * @return {@code counters.roundsTotal() + 1}
     */
    public long nextSeq() {
        return counters.roundsTotal() + 1;
    }

    /**
     * Returns this state with another revision, as the store stamps it when saving.
     *
     * @param newRevision the revision, at least 0
     * @return a copy with the revision replaced
     */
    public Conversation withRevision(long newRevision) {
        return new Conversation(convId, newRevision, updatedAt, compressedContext, recentRounds,
                counters);
    }

    /**
     * Returns this state with one more round at the end of the recent rounds.
     *
     * @param round the round; its seq must be {@link #nextSeq()}
     * @param now   the new update time
     * @return a copy with the round appended and {@code roundsTotal} incremented
     */
    public Conversation withRoundAppended(Round round, Instant now) {
        Checks.notNull(round, "round");
        if (round.seq() != nextSeq()) {
            throw new InvalidModelException(String.format(
                    "round seq must be the next one of '%s': expected %d, was %d",
                    convId, nextSeq(), round.seq()));
        }
        List<Round> rounds = new ArrayList<>(recentRounds.size() + 1);
        rounds.addAll(recentRounds);
        rounds.add(round);
        return new Conversation(convId, revision, now, compressedContext, rounds,
                counters.withRoundsTotal(round.seq()));
    }

    private static List<Round> copyRounds(List<Round> rounds, String convId) {
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i) == null) {
                throw new InvalidModelException(
                        "recentRounds of '" + convId + "' holds null at index " + i);
            }
        }
        return List.copyOf(rounds);
    }

    private static void checkAgainstCounters(List<Round> rounds, Counters counters,
                                             String convId) {
        long expectedTotal = counters.compactedRounds() + rounds.size();
        if (counters.roundsTotal() != expectedTotal) {
            throw new InvalidModelException(String.format(
                    "roundsTotal of '%s' must equal compactedRounds + recent rounds: "
                            + "%d != %d + %d",
                    convId, counters.roundsTotal(), counters.compactedRounds(), rounds.size()));
        }
        long expectedSeq = counters.compactedRounds() + 1;
        for (Round round : rounds) {
            if (round.seq() != expectedSeq) {
                throw new InvalidModelException(String.format(
                        "recent rounds of '%s' must be contiguous from %d: expected seq %d, was %d",
                        convId, counters.compactedRounds() + 1, expectedSeq, round.seq()));
            }
            expectedSeq++;
        }
    }
}
