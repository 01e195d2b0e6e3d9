package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The sparse index of one conversation's log, {@code conversation-<stem>.index}: where the
 * append record holding message {@code 1 + k * BLOCK} starts, for every block {@code k} the log
 * has reached. A range read or a sequence check far back in a long log starts at the nearest
 * entry instead of segment 1, so reading round 100,000 costs about what reading round 100 does.
 *
 * <p>The index is derived data, never the source of truth, so it is written without being
 * forced and may be rewritten in place: a reader trusts an entry only once the record at its
 * position proves it (an append whose first message has the entry's seq), reads only the entries
 * whose checksum holds, up to the first that does not, and otherwise scans the log from its
 * start, in memory. A writer appends the entry of each block it starts; an index that is missing
 * or behind is rebuilt by the next write that starts a block. The file holds an 8-byte magic,
 * then fixed 48-byte entries: the record's first and last message seqs, the first's round seq,
 * segment, offset (big-endian longs) and the CRC32C of those 40 bytes, padded to 48.
 */
final class SparseIndex {
    /**
     * Messages per block: one entry per 64 messages, 150 KB of index for 200,000 messages. A read
     * far back decodes at most one block more than its range (about 75 KB of round-sized JSON),
     * and reads the whole index, which is cheaper than decoding that block again.
     */
    static final long BLOCK = 64;

    static final byte[] MAGIC = {'P', 'L', 'M', 'P', 'S', 'I', 'D', 'X'};
    static final int ENTRY = 48;
    private static final int PAYLOAD = 40;

    /**
     * One entry: the append record at {@code position} holds messages {@code messageSeq} to
     * {@code lastSeq}, the first of round {@code roundSeq}, and starts a block.
     */
    record Entry(long messageSeq, long lastSeq, long roundSeq, SegmentLog.Position position) {
    }

    private SparseIndex() {
    }

    /** {@return whether the record holding messages {@code first..last} holds a block's first} */
    static boolean startsBlock(long first, long last) {
        return (first - 1) % BLOCK == 0 || (first - 1) / BLOCK != (last - 1) / BLOCK;
    }

    /**
     * {@return whether {@code entries} index every block that starts before message
     * {@code first}}: then the record starting there may simply be appended
     */
    static boolean completeBefore(List<Entry> entries, long first) {
        if (first <= 1) {
            return entries.isEmpty();
        }
        long lastBlockStart = 1 + (first - 2) / BLOCK * BLOCK;
        if (entries.isEmpty()) {
            return false;
        }
        Entry last = entries.get(entries.size() - 1);
        return last.lastSeq() >= lastBlockStart && last.lastSeq() < first;
    }

    /**
     * {@return the entries of an index file whose checksums hold, up to the first that does not;
     * empty if there is no file (or it is not a regular file, or its magic is wrong)}
     */
    static List<Entry> read(Path file) throws IOException {
        List<Entry> out = new ArrayList<>();
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        byte[] all;
        try (FileChannel ch = SegmentLog.openRead(file)) {
            NotRegularFileException.requireRegular(file, FileIdentity.of(file));
            long size = ch.size();
            if (size < MAGIC.length || size > Integer.MAX_VALUE - 8) {
                return out;
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            SegmentLog.readFully(ch, b, 0);
            all = b.array();
        } catch (NoSuchFileException e) {
            return out;
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (all[i] != MAGIC[i]) {
                return out;
            }
        }
        ByteBuffer b = ByteBuffer.wrap(all);
        for (int at = MAGIC.length; at + ENTRY <= all.length; at += ENTRY) {
            CRC32C crc = new CRC32C();
            crc.update(all, at, PAYLOAD);
            b.position(at);
            long seq = b.getLong();
            long last = b.getLong();
            long round = b.getLong();
            long segment = b.getLong();
            long offset = b.getLong();
            if ((int) crc.getValue() != b.getInt() || seq < 1 || last < seq || round < 1
                    || segment < 1 || offset < 0
                    || (!out.isEmpty() && out.get(out.size() - 1).lastSeq() >= seq)) {
                break;
            }
            out.add(new Entry(seq, last, round, new SegmentLog.Position(segment, offset)));
        }
        return out;
    }

    /** {@return the entry to start reading at for message {@code seq}: the last at or before it} */
    static Optional<Entry> floorByMessage(List<Entry> entries, long seq) {
        Entry best = null;
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (entries.get(mid).messageSeq() <= seq) {
                best = entries.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * {@return the entry to start reading at for round {@code round}: the last whose record
     * starts in an earlier round, so that none of the round's messages precede it}
     */
    static Optional<Entry> floorByRound(List<Entry> entries, long round) {
        Entry best = null;
        int lo = 0;
        int hi = entries.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (entries.get(mid).roundSeq() < round) {
                best = entries.get(mid);
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Appends entries to the file, creating it with its magic if it is missing or empty. */
    static void append(Path file, List<Entry> entries) throws IOException {
        // Looked at before it is opened too: opening a FIFO for writing waits for a reader.
        NotRegularFileException.requireRegular(file, FileIdentity.of(file));
        try (FileChannel ch = openForWriting(file)) {
            NotRegularFileException.requireRegular(file, FileIdentity.of(file));
            long size = ch.size();
            // Entries after a torn one would never be read: cut the file back to whole entries.
            long whole = size < MAGIC.length ? 0
                    : MAGIC.length + (size - MAGIC.length) / ENTRY * ENTRY;
            ByteBuffer b = ByteBuffer.allocate(MAGIC.length + entries.size() * ENTRY);
            if (whole == 0) {
                b.put(MAGIC);
            }
            for (Entry e : entries) {
                put(b, e);
            }
            b.flip();
            ch.truncate(whole);
            long at = whole;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
        }
    }

    /** Writes the whole index again, in place: for a rebuild. */
    static void rewrite(Path file, List<Entry> entries) throws IOException {
        NotRegularFileException.requireRegular(file, FileIdentity.of(file));
        try (FileChannel ch = openForWriting(file)) {
            NotRegularFileException.requireRegular(file, FileIdentity.of(file));
            ch.truncate(0);
        }
        append(file, entries);
    }

    /** Opens the index for writing, creating it with mode 0600 like every file of the store. */
    static FileChannel openForWriting(Path file) throws IOException {
        java.util.Set<java.nio.file.OpenOption> options = java.util.Set.of(
                StandardOpenOption.WRITE, StandardOpenOption.CREATE, LinkOption.NOFOLLOW_LINKS);
        FileChannel ch = NioFileOps.isPosix(file)
                ? FileChannel.open(file, options, NioFileOps.fileModeAttribute())
                : FileChannel.open(file, options);
        try {
            NioFileOps.restrictToOwner(file);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    private static void put(ByteBuffer b, Entry e) {
        int start = b.position();
        b.putLong(e.messageSeq()).putLong(e.lastSeq()).putLong(e.roundSeq()).putLong(e.position().segment())
                .putLong(e.position().offset());
        CRC32C crc = new CRC32C();
        crc.update(b.array(), start, PAYLOAD);
        b.putInt((int) crc.getValue()).putInt(0);
    }
}
