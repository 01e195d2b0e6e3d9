package dev.palimpsest.store.file;

import dev.palimpsest.model.PalimpsestException;

/**
 * The settings of a {@link FileConversationStore}.
 *
 * @param checkpointEveryRecords write the checkpoint (the state file) once this many log
 *                               records were appended since the last one; 1 keeps the state
 *                               file always current, for readers that open it themselves
 * @param checkpointEveryBytes   ... or once the log grew by this many bytes since the last one;
 *                               either way (unless checkpointing every change) not before the
 *                               log since the last checkpoint holds a quarter of its size, so a
 *                               large window is not rewritten every few hundred appends
 * @param segmentBytes           start a new log segment once a record would take the current
 *                               one past this size (a record larger than a segment gets one
 *                               of its own)
 * @param preallocateBytes       zero-fill a segment this far ahead of its last record, so that
 *                               an append overwrites zeros instead of growing the file (a
 *                               forced write into an allocated block is the cheapest there is)
 * @param maxRecordBytes         the largest log record (one append) accepted; larger appends
 *                               fail with {@code TOO_LARGE}
 */
public record FileStoreOptions(int checkpointEveryRecords, long checkpointEveryBytes,
                               long segmentBytes, int preallocateBytes, int maxRecordBytes) {

    /**
     * The defaults: a checkpoint every 256 records or 4 MiB of log, 64 MiB segments, 1 MiB
     * zero-filled ahead, records up to 32 MiB.
     */
    public static final FileStoreOptions DEFAULTS =
            new FileStoreOptions(256, 4L << 20, 64L << 20, 1 << 20, 32 << 20);

    /**
     * Validates the settings.
     *
     * @param checkpointEveryRecords records between checkpoints, at least 1
     * @param checkpointEveryBytes   log bytes between checkpoints, at least 1
     * @param segmentBytes           the segment size, at least 64 KiB
     * @param preallocateBytes       how far to zero-fill ahead, at least 0
     * @param maxRecordBytes         the largest record, at least 1 KiB
     */
    public FileStoreOptions {
        if (checkpointEveryRecords < 1 || checkpointEveryBytes < 1) {
            throw PalimpsestException.invalid("checkpoint intervals must be >= 1, were "
                    + checkpointEveryRecords + " records and " + checkpointEveryBytes + " bytes");
        }
        if (segmentBytes < 64 * 1024 || preallocateBytes < 0) {
            throw PalimpsestException.invalid("segment size must be >= 64 KiB and preallocation"
                    + " >= 0, were " + segmentBytes + " and " + preallocateBytes);
        }
        if (maxRecordBytes < 1024) {
            throw PalimpsestException.invalid("the largest record must be >= 1 KiB, was "
                    + maxRecordBytes);
        }
    }

    /** {@return these settings, but with a checkpoint after every change} */
    public FileStoreOptions checkpointingEveryChange() {
        return new FileStoreOptions(1, 1, segmentBytes, preallocateBytes, maxRecordBytes);
    }
}
