package dev.palimpsest.engine;

import dev.palimpsest.model.Round;
import java.util.List;

/**
 * Folds evicted rounds into the compressed context: the small SPI behind compaction.
 *
 * <p>An implementation returns the new compressed context, which replaces the previous one: it
 * should merge {@link SummaryRequest#previousContext()} with
 * {@link SummaryRequest#evictedRounds()}, and keep its output bounded, because the context is
 * part of every prompt. It may be called from several threads at once (for different
 * conversations, or for one conversation from several engines), and without any lock held, so it
 * may be slow.
 *
 * <p>To fail, throw: a {@link dev.palimpsest.model.PalimpsestException} of kind
 * {@code SUMMARIZER} preferably, but any exception counts. The engine then keeps the rounds
 * verbatim, counts the failure and tries again on a later append. The engine bounds each call
 * with its summarizer timeout and interrupts a call that overruns it or that is still running
 * when the engine closes: a summarizer that waits (on a socket, a queue) should let the
 * {@link InterruptedException} out. Returning {@code null}, a blank string, or text with
 * unpaired surrogates also counts as a failure; nothing of a failure ever becomes the summary.
 */
@FunctionalInterface
public interface Summarizer {
    /**
     * {@return the new compressed context, not blank}
     *
     * @param request the previous context and the rounds to fold in
     * @throws InterruptedException if the calling thread was interrupted while waiting
     */
    String summarize(SummaryRequest request) throws InterruptedException;

    /**
     * {@return the compressed context as a prompt shows it beside the recent rounds}: the
     * context was written when its rounds were folded, and a recent round may have changed a
     * value since ("actually, the port is 6543 now"); a summarizer that knows its own lines may
     * leave out those a recent round restates, so that no prompt shows a superseded value next
     * to the newest. This default returns the context as it is. It must be fast and must not
     * fail: it runs on every {@link ConversationEngine#context} call, and changes nothing
     * stored.
     *
     * @param compressedContext the stored compressed context
     * @param recentRounds      the recent rounds, oldest first
     */
    default String withoutSuperseded(String compressedContext, List<Round> recentRounds) {
        return compressedContext;
    }
}
