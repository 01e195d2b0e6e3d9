package dev.palimpsest.store.file;

import dev.palimpsest.model.Counters;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The head of one conversation, kept in its lock file after the incarnation and the claimed end:
 * its
 * revision, time and counters as of one end of its log, where the record holding its newest
 * round's first message is (or a record before it), and how much log was written since the last
 * checkpoint. Rewritten after every change, without being forced, so that a store opened for one
 * append or one summary reads a few hundred bytes of the lock file it opens anyway, and the
 * newest round, instead of the checkpoint and the log written since it.
 *
 * <p>Derived data, like the sparse index, never the source of truth: a reader trusts it only as
 * far as the log bears it out (the log must have a record boundary at its end, end there at its
 * revision, and hold the newest round ending at its totals; what follows replays onto it with
 * every check of a load), and otherwise reads the checkpoint. A lost, torn, stale or foreign
 * head therefore costs a slower open, never a wrong state. The block is fixed: an 8-byte magic,
 * twenty-two big-endian longs, and the CRC32C of the incarnation before it and of all its own
 * bytes before the CRC, so that a new incarnation (a delete, a quarantine) voids the head
 * without another write. Why in the lock file: it is open and locked for every change anyway,
 * so the head costs one {@code pwrite}, or a write into the lock file's mapping (see
 * {@link ConversationLocks}), and no descriptor of its own (a head file opened for each change
 * cost three {@code stat}s, an open and a close; kept open, a second descriptor per cached
 * conversation).
 */
final class HeadBlock {
    static final byte[] MAGIC = {'P', 'L', 'M', 'P', 'S', 'H', 'E', 'D'};
    private static final int LONGS = 22;
    static final int SIZE = MAGIC.length + LONGS * Long.BYTES + Integer.BYTES;
    /** Where the block starts in the lock file: after the incarnation and the claimed end. */
    static final int OFFSET = ConversationLocks.CLAIM_END;

    /**
     * One head.
     *
     * @param revision               the revision at {@code end}
     * @param updatedAt              when it committed
     * @param counters               the counters at {@code end}
     * @param end                    the end of the log the head describes
     * @param newestRoundFrom        a record at or before the one holding the newest round's
     *                               first message
     * @param recordsSinceCheckpoint records written after the last checkpoint
     * @param bytesSinceCheckpoint   their bytes
     * @param lastCheckpointBytes    the size of the last checkpoint; 0 if none
     * @param checkpointAt           where the log after the last checkpoint starts (segment 1,
     *                               offset 0 without one): what a load would replay starts there
     */
    record Head(long revision, Instant updatedAt, Counters counters, SegmentLog.Position end,
                SegmentLog.Position newestRoundFrom, long recordsSinceCheckpoint,
                long bytesSinceCheckpoint, long lastCheckpointBytes,
                SegmentLog.Position checkpointAt) {
    }

    private HeadBlock() {
    }

    /** {@return the bytes of a head written under {@code incarnation}} */
    static ByteBuffer encode(long incarnation, Head h) {
        ByteBuffer b = ByteBuffer.allocate(SIZE);
        Counters c = h.counters();
        b.put(MAGIC).putLong(h.revision()).putLong(h.updatedAt().getEpochSecond())
                .putLong(h.updatedAt().getNano()).putLong(c.roundsTotal())
                .putLong(c.messagesTotal()).putLong(c.compactions()).putLong(c.compactedRounds())
                .putLong(c.compactedMessages()).putLong(c.compactionFailures())
                .putLong(c.contextTokens()).putLong(c.recentTokens())
                .putLong(c.lastCompactedAt().map(Instant::getEpochSecond).orElse(0L))
                .putLong(c.lastCompactedAt().map(i -> (long) i.getNano()).orElse(-1L))
                .putLong(h.end().segment()).putLong(h.end().offset())
                .putLong(h.newestRoundFrom().segment()).putLong(h.newestRoundFrom().offset())
                .putLong(h.recordsSinceCheckpoint()).putLong(h.bytesSinceCheckpoint())
                .putLong(h.lastCheckpointBytes()).putLong(h.checkpointAt().segment())
                .putLong(h.checkpointAt().offset());
        b.putInt(crc(incarnation, b.array())).flip();
        return b;
    }

    private static int crc(long incarnation, byte[] block) {
        CRC32C crc = new CRC32C();
        crc.update(ByteBuffer.allocate(Long.BYTES).putLong(0, incarnation));
        crc.update(block, 0, SIZE - Integer.BYTES);
        return (int) crc.getValue();
    }

    /**
     * {@return the head that a block's bytes hold, written under {@code incarnation}}; empty if
     * they are not one, whole and intact, or were written under another incarnation
     */
    static Optional<Head> decode(long incarnation, byte[] bytes, int length) {
        if (length != SIZE || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 0, SIZE);
        if (b.getInt(SIZE - Integer.BYTES) != crc(incarnation, bytes)) {
            return Optional.empty();
        }
        b.position(MAGIC.length);
        long[] v = new long[LONGS];
        for (int i = 0; i < LONGS; i++) {
            v[i] = b.getLong();
        }
        try {
            if (v[0] < 1 || v[2] < 0 || v[2] > 999_999_999 || v[13] < 1 || v[14] < 0
                    || v[15] < 1 || v[16] < 0 || v[17] < 0 || v[18] < 0 || v[19] < 0
                    || v[20] < 1 || v[21] < 0) {
                return Optional.empty();
            }
            Optional<Instant> lastCompacted = v[12] < 0 ? Optional.empty()
                    : Optional.of(Instant.ofEpochSecond(v[11], v[12]));
            Counters counters = new Counters(v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10],
                    lastCompacted);
            return Optional.of(new Head(v[0], Instant.ofEpochSecond(v[1], v[2]), counters,
                    new SegmentLog.Position(v[13], v[14]), new SegmentLog.Position(v[15], v[16]),
                    v[17], v[18], v[19], new SegmentLog.Position(v[20], v[21])));
        } catch (PalimpsestException | java.time.DateTimeException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    /**
     * {@return the head in a lock file}, read through the channel of its held lock; empty if
     * the file holds none, or not a whole one written under the incarnation beside it
     */
    static Optional<Head> read(FileChannel lock) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(OFFSET + SIZE + 1);
        SegmentLog.readFully(lock, b, 0);
        if (b.position() != OFFSET + SIZE) {
            return Optional.empty();
        }
        return decode(b.getLong(0), Arrays.copyOfRange(b.array(), OFFSET, OFFSET + SIZE), SIZE);
    }
}
