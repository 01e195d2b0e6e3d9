package dev.palimpsest.recall.lucene;

import dev.palimpsest.model.PalimpsestException;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link LuceneRecall} commits what it indexed and how long it waits for another process.
 *
 * <p>Commits bound what a crash costs, not what a search sees: messages indexed since the last
 * commit are lost with the process and indexed again from the store by the next holder of the
 * index (searches read the part of the store past the index in any case).
 *
 * @param commitEveryMessages commit after this many messages were indexed, at least 1
 * @param commitInterval      and at the latest this long after the first uncommitted one, at
 *                            least 1 ms
 * @param eraseWait           how long {@link LuceneRecall#erase} waits for the process holding
 *                            the index to erase a conversation it cannot erase itself, at least 0
 */
public record LuceneRecallOptions(int commitEveryMessages, Duration commitInterval,
                                  Duration eraseWait) {
    /** The defaults: commit every 1,000 messages or every second, wait 10 s for an erasure. */
    public static final LuceneRecallOptions DEFAULTS =
            new LuceneRecallOptions(1_000, Duration.ofSeconds(1), Duration.ofSeconds(10));

    /**
     * Validates.
     *
     * @param commitEveryMessages commit after this many messages
     * @param commitInterval      or at the latest this long after the first uncommitted one
     * @param eraseWait           how long an erasure waits for the index's holder
     */
    public LuceneRecallOptions {
        Objects.requireNonNull(commitInterval, "commitInterval");
        Objects.requireNonNull(eraseWait, "eraseWait");
        if (commitEveryMessages < 1) {
            throw PalimpsestException.invalid("commitEveryMessages must be at least 1, was "
                    + commitEveryMessages);
        }
        if (commitInterval.toMillis() < 1) {
            throw PalimpsestException.invalid("commitInterval must be at least 1 ms, was "
                    + commitInterval);
        }
        if (eraseWait.isNegative()) {
            throw PalimpsestException.invalid("eraseWait must not be negative, was " + eraseWait);
        }
    }
}
