package dev.palimpsest.store.spi;

import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rules of a change, shared by every backend: which messages of an append are retries, whether
 * its expectation holds, where its rounds begin and how its messages are numbered; and whether a
 * compaction may commit. A backend gives a {@link History} read under its own lock (or in its own
 * transaction) and writes what the {@link AppendPlan} says.
 */
public final class ChangeRules {
    private ChangeRules() {
    }

    /** What a backend knows of a conversation when it plans a change. */
    public interface History {
        /** {@return the conversation's revision; 0 if it was never stored} */
        long revision();

        /** {@return its counters} */
        Counters counters();

        /** {@return its newest round, which is never compacted; empty before the first append} */
        Optional<Round> lastRound();

        /**
         * {@return the message stored under a caller's message id, compacted or not}
         *
         * @param messageId the caller's id
         */
        Optional<StoredMessage> messageById(String messageId);
    }

    /**
     * What an append must write.
     *
     * @param toAppend      the new messages, numbered, to write in this order
     * @param results       the stored message of each requested one, in request order
     * @param alreadyStored how many requested messages were stored earlier
     * @param newRounds     how many rounds the new messages open
     * @param tokens        the sum of their token estimates
     */
    public record AppendPlan(List<StoredMessage> toAppend, List<StoredMessage> results,
                             int alreadyStored, long newRounds, long tokens) {
        /**
         * Copies the lists.
         *
         * @param toAppend      the new messages, numbered, to write in this order
         * @param results       the stored message of each requested one, in request order
         * @param alreadyStored how many requested messages were stored earlier
         * @param newRounds     how many rounds the new messages open
         * @param tokens        the sum of their token estimates
         */
        public AppendPlan {
            toAppend = List.copyOf(toAppend);
            results = List.copyOf(results);
        }

        /** {@return whether there is anything to write} */
        public boolean changes() {
            return !toAppend.isEmpty();
        }
    }

    /**
     * Plans an append.
     *
     * @param request the append
     * @param history what is stored, read under the backend's lock
     * @return what to write
     * @throws PalimpsestException {@code CONFLICT} for an id stored with other content,
     *         {@code REVISION_MISMATCH} for an expectation that does not hold,
     *         {@code INVALID_INPUT} for messages that cannot follow what is stored
     */
    public static AppendPlan planAppend(AppendRequest request, History history) {
        String convId = request.convId();
        List<NewMessage> requested = request.messages();
        StoredMessage[] results = new StoredMessage[requested.size()];
        Map<String, Message> idsInRequest = new HashMap<>();
        int alreadyStored = 0;
        for (int i = 0; i < requested.size(); i++) {
            Message m = requested.get(i).message();
            if (m.id().isEmpty()) {
                continue;
            }
            String id = m.id().get();
            if (idsInRequest.put(id, m) != null) {
                throw new PalimpsestException(FailureKind.INVALID_INPUT, convId,
                        "append to '" + convId + "' holds message id '" + id + "' twice");
            }
            Optional<StoredMessage> stored = history.messageById(id);
            if (stored.isPresent()) {
                if (!stored.get().message().equals(m)) {
                    throw new PalimpsestException(FailureKind.CONFLICT, convId, String.format(
                            "message id '%s' of '%s' is stored as message %d with other content",
                            id, convId, stored.get().seq()));
                }
                results[i] = stored.get();
                alreadyStored++;
            }
        }
        if (alreadyStored == requested.size()) {
            return new AppendPlan(List.of(), List.of(results), alreadyStored, 0, 0);
        }
        Counters counters = history.counters();
        long nextMessage = counters.messagesTotal() + 1;
        long lastRoundSeq = counters.roundsTotal();
        Optional<Round> current = history.lastRound();
        List<StoredMessage> toAppend = new ArrayList<>(requested.size() - alreadyStored);
        long tokens = 0;
        long newRounds = 0;
        for (int i = 0; i < requested.size(); i++) {
            if (results[i] != null) {
                continue;
            }
            NewMessage n = requested.get(i);
            Message m = n.message();
            long roundSeq;
            try {
                if (Round.opensNewRound(current, m)) {
                    roundSeq = ++lastRoundSeq;
                    Round.checkOpens(m, roundSeq);
                    newRounds++;
                    if (toAppend.isEmpty()) {
                        checkNextRound(request, roundSeq);
                    }
                } else {
                    roundSeq = current.orElseThrow().seq();
                    current.get().checkJoins(m);
                }
            } catch (PalimpsestException e) {
                throw new PalimpsestException(e.kind(), convId,
                        "append to '" + convId + "': " + e.getMessage(), e);
            }
            StoredMessage stored = new StoredMessage(nextMessage++, roundSeq, request.at(),
                    n.tokens(), m);
            List<StoredMessage> roundMessages = new ArrayList<>();
            if (current.isPresent() && current.get().seq() == roundSeq) {
                roundMessages.addAll(current.get().messages());
            }
            roundMessages.add(stored);
            current = Optional.of(new Round(roundSeq, roundMessages));
            toAppend.add(stored);
            results[i] = stored;
            tokens += n.tokens();
        }
        checkExpectation(request, history, toAppend);
        return new AppendPlan(toAppend, List.of(results), alreadyStored, newRounds, tokens);
    }

    private static void checkNextRound(AppendRequest request, long roundSeq) {
        Expectation e = request.expectation();
        if (e.kind() == Expectation.Kind.NEXT_ROUND_SEQ && e.value() != roundSeq) {
            throw mismatch(request, "round seq " + e.value(), "the append opens round " + roundSeq);
        }
    }

    private static void checkExpectation(AppendRequest request, History history,
                                         List<StoredMessage> toAppend) {
        Expectation e = request.expectation();
        switch (e.kind()) {
            case NONE -> { }
            case REVISION -> {
                if (history.revision() != e.value()) {
                    throw mismatch(request, "revision " + e.value(),
                            "it is at revision " + history.revision());
                }
            }
            case NEXT_MESSAGE_SEQ -> {
                long next = toAppend.get(0).seq();
                if (next != e.value()) {
                    throw mismatch(request, "next message seq " + e.value(),
                            "the next message is " + next);
                }
            }
            case NEXT_ROUND_SEQ -> {
                StoredMessage first = toAppend.get(0);
                boolean opens = first.roundSeq() > history.counters().roundsTotal();
                if (!opens) {
                    throw mismatch(request, "round seq " + e.value(),
                            "the append joins round " + first.roundSeq());
                }
            }
        }
    }

    private static PalimpsestException mismatch(AppendRequest request, String expected,
                                                String actual) {
        return new PalimpsestException(FailureKind.REVISION_MISMATCH, request.convId(),
                String.format("append to '%s' expected %s, but %s", request.convId(), expected,
                        actual));
    }

    /**
     * Checks that a compaction may commit on what is stored.
     *
     * @param request   the compaction
     * @param counters  the conversation's counters, read under the backend's lock
     * @throws PalimpsestException {@code CONFLICT} if another compaction committed since its
     *         snapshot, {@code INVALID_INPUT} if it would fold the newest round or rounds that
     *         do not exist
     */
    public static void checkCompaction(CompactionRequest request, Counters counters) {
        String convId = request.convId();
        if (counters.compactedRounds() != request.baseCompactedRounds()) {
            throw new PalimpsestException(FailureKind.CONFLICT, convId, String.format(
                    "compaction of '%s' is stale: it was made after %d compacted rounds, %d are"
                            + " compacted now",
                    convId, request.baseCompactedRounds(), counters.compactedRounds()));
        }
        if (request.throughRound() >= counters.roundsTotal()) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, convId, String.format(
                    "compaction of '%s' must leave the newest round %d verbatim, was through %d",
                    convId, counters.roundsTotal(), request.throughRound()));
        }
    }
}
