package dev.palimpsest.bench;

/**
 * One side of a comparison: an operation timed on its own, with its set-up done before the
 * first call and its resources released by {@link #release()}.
 */
interface Contender {

    /**
     * Returns the contender's name as the report shows it.
     *
     * @return a short, stable name
     */
    String name();

    /**
     * Runs the operation once. Everything it does counts in the time.
     *
     * @throws Exception if the operation failed; the run stops
     */
    void runOnce() throws Exception;

    /**
     * Releases what the contender holds (not AutoCloseable: its close may throw anything).
     *
     * @throws Exception if releasing failed
     */
    default void release() throws Exception {
    }
}
