package dev.palimpsest.model;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One round: a user turn with every message the agent produced in it. It is the unit of
 * compaction, so a tool call and its result are always folded together.
 *
 * <p>Where rounds begin is decided by {@link #opensNewRound(Optional, Message)}: a user message opens
 * a new round once the current one holds a user message, and a system message does so too unless
 * a tool call of the current round is still unanswered. A round is therefore closed by the next
 * user message even if one of its tool calls was never answered, so an abandoned call cannot block
 * compaction forever.
 *
 * @param seq      the round's number, from 1
 * @param messages its messages, in order, numbered contiguously
 */
public record Round(long seq, List<StoredMessage> messages) {

    /**
     * Validates the messages: contiguous, all of this round, shaped as a round.
     *
     * @param seq      the round's number, from 1
     * @param messages its messages, in order, numbered contiguously
     */
    public Round {
        Checks.atLeast(seq, 1, "round seq");
        messages = Checks.listCopy(messages, "messages of round " + seq);
        if (messages.isEmpty()) {
            throw PalimpsestException.invalid("round " + seq + " must hold at least one message");
        }
        Shape shape = null;
        long expected = messages.get(0).seq();
        for (StoredMessage m : messages) {
            if (m.roundSeq() != seq) {
                throw PalimpsestException.invalid(String.format(
                        "message %d of round %d names round %d", m.seq(), seq, m.roundSeq()));
            }
            if (m.seq() != expected) {
                throw PalimpsestException.invalid(String.format(
                        "messages of round %d must be numbered contiguously: expected %d, was %d",
                        seq, expected, m.seq()));
            }
            expected++;
            if (shape == null) {
                shape = Shape.start(m.message(), seq);
            } else {
                if (shape.opensNewRound(m.message())) {
                    throw PalimpsestException.invalid(String.format(
                            "message %d (%s) must open a new round instead of joining round %d",
                            m.seq(), m.role().wireName(), seq));
                }
                shape.add(m.message(), seq);
            }
        }
    }

    /** {@return the seq of the round's first message} */
    public long firstMessageSeq() {
        return messages.get(0).seq();
    }

    /** {@return the seq of the round's last message} */
    public long lastMessageSeq() {
        return messages.get(messages.size() - 1).seq();
    }

    /** {@return the sum of the token estimates of its messages} */
    public long tokens() {
        long sum = 0;
        for (StoredMessage m : messages) {
            sum += m.tokens();
        }
        return sum;
    }

    /**
     * {@return whether a tool call of this round is still unanswered} An open round is never
     * compacted while it is the newest one; the next user message closes it.
     */
    public boolean hasUnansweredToolCall() {
        return shape().hasOpenCalls();
    }

    /** {@return the newest system message of this round, if it has one} */
    public Optional<StoredMessage> newestSystemMessage() {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.SYSTEM) {
                return Optional.of(messages.get(i));
            }
        }
        return Optional.empty();
    }

    /**
     * {@return whether {@code next} opens a new round}
     *
     * @param current the newest round, or empty before a conversation's first message (which
     *                must be a user or system message)
     * @param next    the message appended after it
     */
    public static boolean opensNewRound(Optional<Round> current, Message next) {
        Checks.notNull(next, "message");
        if (current.isEmpty()) {
            Shape.start(next, 1);
            return true;
        }
        return current.get().shape().opensNewRound(next);
    }

    /**
     * Checks that {@code next} may join this round (when it does not open a new one): a tool
     * result must answer an unanswered call of this round.
     *
     * @param next the message that joins this round
     */
    public void checkJoins(Message next) {
        shape().add(next, seq);
    }

    /**
     * Checks that {@code next} may open round {@code roundSeq}: a round starts with a user or
     * system message.
     *
     * @param next     the message that opens the round
     * @param roundSeq the number of the round it opens, for the message of a failure
     */
    public static void checkOpens(Message next, long roundSeq) {
        Shape.start(next, roundSeq);
    }

    private Shape shape() {
        Shape shape = Shape.start(messages.get(0).message(), seq);
        for (int i = 1; i < messages.size(); i++) {
            shape.add(messages.get(i).message(), seq);
        }
        return shape;
    }

    /** What decides where rounds begin: whether a user message was seen, and the open calls. */
    private static final class Shape {
        private boolean hasUser;
        private final Set<String> openCalls = new HashSet<>();
        private final Set<String> answeredCalls = new HashSet<>();

        static Shape start(Message first, long roundSeq) {
            if (first.role() != Role.USER && first.role() != Role.SYSTEM) {
                throw PalimpsestException.invalid(String.format(
                        "round %d must start with a user or system message, not a %s message",
                        roundSeq, first.role().wireName()));
            }
            Shape shape = new Shape();
            shape.hasUser = first.role() == Role.USER;
            return shape;
        }

        boolean hasOpenCalls() {
            return !openCalls.isEmpty();
        }

        boolean opensNewRound(Message next) {
            return switch (next.role()) {
                case USER -> hasUser;
                case SYSTEM -> hasUser && openCalls.isEmpty();
                case ASSISTANT, TOOL -> false;
            };
        }

        void add(Message next, long roundSeq) {
            switch (next.role()) {
                case USER -> hasUser = true;
                case SYSTEM -> { }
                case ASSISTANT -> {
                    for (ToolCall call : next.toolCalls()) {
                        if (answeredCalls.contains(call.id()) || !openCalls.add(call.id())) {
                            throw PalimpsestException.invalid(String.format(
                                    "tool call id '%s' is used twice in round %d",
                                    call.id(), roundSeq));
                        }
                    }
                }
                case TOOL -> {
                    String callId = next.toolCallId().orElseThrow();
                    if (!openCalls.remove(callId)) {
                        throw PalimpsestException.invalid(String.format(
                                answeredCalls.contains(callId)
                                        ? "tool call '%s' of round %d is already answered"
                                        : "tool result answers no tool call '%s' of round %d",
                                callId, roundSeq));
                    }
                    answeredCalls.add(callId);
                }
            }
        }
    }
}
