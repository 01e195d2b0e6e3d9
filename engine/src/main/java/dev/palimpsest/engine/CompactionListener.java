package dev.palimpsest.engine;

/**
 * Hears the outcome of every compaction the engine attempts (committed, dropped or failed),
 * whether it ran in the appending thread, on the executor, or through
 * {@link ConversationEngine#compact(String)}. Appends that need no compaction, and the
 * {@code SCHEDULED} and {@code IN_PROGRESS} answers of an append, are not reported: the listener
 * hears the compaction's own outcome when it ends.
 *
 * <p>Called in the thread that ran the compaction, after its result is stored. An exception
 * thrown by the listener is logged and otherwise ignored: it never fails an append.
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
