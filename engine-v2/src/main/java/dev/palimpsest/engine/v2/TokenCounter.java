package dev.palimpsest.engine.v2;

/**
 * Estimates how many model tokens a text takes. Plug in a real tokenizer for exact figures; the
 * engine only needs an estimate to decide when to compact.
 *
 * <p>Implementations must be thread-safe and fast: the engine counts every appended round once
 * (the recent-token counter is kept incrementally) and recounts the rounds that remain after a
 * compaction.
 */
@FunctionalInterface
public interface TokenCounter {
    /**
     * Estimates the tokens of {@code text}.
     *
     * @param text the text
     * @return the estimated number of tokens, at least 0
     */
    long count(String text);

    /**
     * Returns the default estimator, which needs no model files; see
     * {@link EstimatingTokenCounter} for how it counts and how far it can be off.
     *
     * @return the shared estimator
     */
    static TokenCounter estimating() {
        return EstimatingTokenCounter.INSTANCE;
    }
}
