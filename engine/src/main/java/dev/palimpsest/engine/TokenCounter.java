package dev.palimpsest.engine;

/**
 * Estimates how many model tokens a text takes. Plug in a real tokenizer for exact figures; the
 * engine only needs an estimate to decide when to compact.
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
}
