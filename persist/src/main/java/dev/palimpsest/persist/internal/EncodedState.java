package dev.palimpsest.persist.internal;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.util.Arrays;
import java.util.List;

/**
 * A state together with the exact bytes of its state file and where each part's JSON lies in
 * them: the compressed context's string and each recent round's object.
 *
 * <p>Why: consecutive states of a conversation share almost everything (an append adds one
 * round; the summary and the other rounds stay). {@link StateFileCodec#encode} copies the JSON of
 * every part that equals one of the previous encoding instead of escaping its text again, and
 * the store keeps the last one it wrote of each conversation, so that it need not read and parse
 * its own file back. Both rest on one fact, tested: equal values always encode to equal bytes.
 *
 * <p>Instances are immutable once built (the arrays are never handed out or changed), so they
 * may be shared between threads.
 */
final class EncodedState {
    private final Conversation state;
    private final byte[] bytes;
    private final int contextFrom;
    private final int contextTo;
    /** Start and end offsets of recent round {@code i} at {@code 2i} and {@code 2i + 1}. */
    private final int[] roundSpans;

    EncodedState(Conversation state, byte[] bytes, int contextFrom, int contextTo,
                 int[] roundSpans) {
        if (roundSpans.length != 2 * state.recentRounds().size()) {
            throw new IllegalArgumentException("one span per round expected");
        }
        this.state = state;
        this.bytes = bytes;
        this.contextFrom = contextFrom;
        this.contextTo = contextTo;
        this.roundSpans = roundSpans;
    }

    /** Returns the state these bytes encode. */
    Conversation state() {
        return state;
    }

    /** Returns the length of the state file. */
    int length() {
        return bytes.length;
    }

    /**
     * Tells whether the state file starts with {@code prefix}.
     *
     * @param prefix the first bytes of a file
     * @param length how many of them there are
     */
    boolean startsWith(byte[] prefix, int length) {
        return length <= bytes.length && Arrays.equals(bytes, 0, length, prefix, 0, length);
    }

    /** The raw array, for the codec and the writer, which never change it. */
    byte[] array() {
        return bytes;
    }

    /** Tells whether this encoding holds the compressed context {@code context}. */
    boolean holdsContext(String context) {
        String mine = state.compressedContext();
        return mine == context || mine.equals(context);
    }

    /** Returns where the compressed context's JSON string starts in {@link #array()}. */
    int contextFrom() {
        return contextFrom;
    }

    /** Returns where the compressed context's JSON string ends (exclusive). */
    int contextTo() {
        return contextTo;
    }

    /**
     * Finds a recent round equal to {@code round}, looked up by its sequence number.
     *
     * @return its index among the recent rounds, or -1 if this encoding holds no equal round
     */
    int indexOf(Round round) {
        List<Round> rounds = state.recentRounds();
        if (rounds.isEmpty()) {
            return -1;
        }
        long index = round.seq() - rounds.get(0).seq();
        if (index < 0 || index >= rounds.size()) {
            return -1;
        }
        Round mine = rounds.get((int) index);
        return mine == round || mine.equals(round) ? (int) index : -1;
    }

    /** Returns where recent round {@code index}'s JSON object starts in {@link #array()}. */
    int roundFrom(int index) {
        return roundSpans[2 * index];
    }

    /** Returns where recent round {@code index}'s JSON object ends (exclusive). */
    int roundTo(int index) {
        return roundSpans[2 * index + 1];
    }
}
