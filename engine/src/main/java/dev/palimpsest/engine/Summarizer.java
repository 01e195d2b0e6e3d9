package dev.palimpsest.engine;

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
 * <p>To fail, throw any exception ({@link SummarizerException} preferably): the engine then
 * keeps the rounds verbatim, counts the failure and tries again on a later append. The engine
 * bounds each call with its summarizer timeout and interrupts a call that overruns it. Returning
 * {@code null}, a blank string, or text with unpaired surrogates also counts as a failure;
 * nothing of a failure ever becomes the summary.
 *
 * <p>The built-in implementations are in {@code dev.palimpsest.engine.summarizer}.
 */
@FunctionalInterface
public interface Summarizer {
    /**
     * Returns the new compressed context.
     *
     * @param request the previous context and the rounds to fold in
     * @return the new compressed context, not blank
     * @throws SummarizerException (or any runtime exception) if no summary can be made
     */
    String summarize(SummaryRequest request);
}
