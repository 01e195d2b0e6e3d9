package dev.palimpsest.engine;

/**
 * Hears the outcome of every compaction the engine attempts (committed, dropped, failed or
 * cancelled), wherever it ran. Appends that need no compaction are not reported.
 *
 * <p>Called in the thread that ran the compaction, after its result is stored and before its
 * {@link CompactionHandle} completes. An exception thrown by the listener is logged and
 * otherwise ignored: it never fails an append.
 */
@FunctionalInterface
public interface CompactionListener {
    /**
     * Reports one compaction's outcome.
     *
     * @param convId  the conversation compacted
     * @param outcome what happened
     */
    void onCompaction(String convId, CompactionOutcome outcome);
}
