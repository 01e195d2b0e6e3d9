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

    /** An operation to time. */
    @FunctionalInterface
    interface Op {
        /**
         * Runs the operation once.
         *
         * @throws Exception if it failed
         */
        void run() throws Exception;
    }

    /**
     * {@return a contender that runs {@code op} and holds nothing to release}
     *
     * @param name the report's name for it
     * @param op   the operation
     */
    static Contender of(String name, Op op) {
        return closing(name, op, null);
    }

    /**
     * {@return a contender that runs {@code op} and closes {@code resource} when released}
     *
     * @param name     the report's name for it
     * @param op       the operation
     * @param resource what to close on release, or null
     */
    static Contender closing(String name, Op op, AutoCloseable resource) {
        return new Contender() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void runOnce() throws Exception {
                op.run();
            }

            @Override
            public void release() throws Exception {
                if (resource != null) {
                    resource.close();
                }
            }
        };
    }
}
