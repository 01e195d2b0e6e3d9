package dev.palimpsest.engine;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Fits a conversation's prompt material to a token budget, in this order of priority:
 * <ol>
 *   <li>the pinned system message and the newest round, always (the instructions and the turn
 *       being answered; they may pass the budget alone);</li>
 *   <li>the compressed context, if it fits;</li>
 *   <li>recalled rounds, best match first, each if it fits, within half of what is left, so that
 *       the dialogue keeps room (a found round of the recent window counts too: it may not fit
 *       in the dialogue);</li>
 *   <li>recent rounds, newest first, while each fits (a contiguous stretch ending at the newest);
 *       a recent round that step 3 recalled joins the dialogue instead, paid for already;</li>
 *   <li>the found rounds that step 3 had no room for, best first, while each fits.</li>
 * </ol>
 * A round is taken whole or not at all, so no tool call is separated from its result.
 */
final class ContextFit {
    /** The tokens the mark of a recalled round costs: {@code [recalled round N, TIME]}. */
    static final long RECALLED_MARK_TOKENS = 16;

    private ContextFit() {
    }

    /**
     * {@return the fitted material}
     *
     * @param state       the conversation
     * @param context     its compressed context as the prompt shows it
     * @param found       whole rounds recall found, best first (recent ones among them)
     * @param budget      the token budget
     * @param textTokens  the estimate of a text's tokens
     */
    static PromptContext fit(ConversationState state, String context, List<Round> found,
                             long budget, ToLongFunction<String> textTokens) {
        List<Round> recent = state.recentRounds();
        long left = budget;
        long pinnedSeq = state.pinnedSystem().map(StoredMessage::seq).orElse(-1L);
        if (state.pinnedSystem().isPresent()) {
            left -= state.pinnedSystem().get().tokens();
        }
        Deque<Round> keptRecent = new ArrayDeque<>();
        if (!recent.isEmpty()) {
            Round newest = recent.get(recent.size() - 1);
            keptRecent.addFirst(newest);
            left -= tokens(newest, pinnedSeq);
        }
        long contextTokens = context.isEmpty() ? 0 : textTokens.applyAsLong(context);
        if (contextTokens <= left) {
            left -= contextTokens;
        } else {
            context = "";
        }

        long newestSeq = recent.isEmpty() ? -1 : recent.get(recent.size() - 1).seq();
        List<Round> recalled = new ArrayList<>();
        Set<Long> taken = new HashSet<>();
        long recallShare = Math.max(0, left / 2);
        for (Round r : found) {
            if (r.seq() == newestSeq || !taken.add(r.seq())) {
                continue;
            }
            long cost = tokens(r, pinnedSeq) + RECALLED_MARK_TOKENS;
            if (cost <= recallShare) {
                recalled.add(r);
                recallShare -= cost;
                left -= cost;
            } else {
                taken.remove(r.seq());
            }
        }

        for (int i = recent.size() - 2; i >= 0; i--) {
            Round r = recent.get(i);
            if (taken.contains(r.seq())) {
                // Recalled in step 3: it joins the dialogue, and its mark is refunded.
                recalled.removeIf(x -> x.seq() == r.seq());
                left += RECALLED_MARK_TOKENS;
                keptRecent.addFirst(r);
                continue;
            }
            long cost = tokens(r, pinnedSeq);
            if (cost > left) {
                break;
            }
            keptRecent.addFirst(r);
            left -= cost;
        }
        Set<Long> keptSeqs = new HashSet<>();
        for (Round r : keptRecent) {
            keptSeqs.add(r.seq());
        }

        for (Round r : found) {
            if (r.seq() == newestSeq || keptSeqs.contains(r.seq()) || taken.contains(r.seq())) {
                continue;
            }
            long cost = tokens(r, pinnedSeq) + RECALLED_MARK_TOKENS;
            if (cost <= left) {
                recalled.add(r);
                taken.add(r.seq());
                left -= cost;
            }
        }
        recalled.sort(Comparator.comparingLong(Round::seq));
        return new PromptContext(state.convId(), state.pinnedSystem(), context, recalled,
                List.copyOf(keptRecent));
    }

    /** {@return the tokens of a round's messages}, the pinned system message left out */
    static long tokens(Round round, long pinnedSeq) {
        long sum = 0;
        for (StoredMessage m : round.messages()) {
            if (m.seq() != pinnedSeq) {
                sum += m.tokens();
            }
        }
        return sum;
    }
}
