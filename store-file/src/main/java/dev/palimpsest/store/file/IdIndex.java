package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The message-id index of one conversation ({@code conversation-<stem>.ids}): which message seq
 * carries a caller's id of which hash, so that a store opened for one append with ids (the
 * launcher, a restarted server) need not read the whole log to know the ids it holds.
 *
 * <p>Derived data, like the sparse index: never forced, never the truth. A hash only names a
 * candidate; the message at its seq is read and its id compared. What the index must never do
 * is miss an id, so it says how far it is complete, and only in whole batches: each batch is its
 * entries (hash, seq, and the seq through which the batch completes the index) and then a marker
 * (seq 0) with that same seq. Entries after the last valid marker, and everything from the
 * first entry whose CRC32C fails or that breaks the order on, are not trusted. The header names
 * the conversation's incarnation (see {@link ConversationLocks}), so the file of a deleted
 * conversation says nothing about the next one of that id.
 *
 * <p>Layout: {@code PLMPSIDS}, the incarnation (8 bytes), then 32-byte entries: hash (the first 8
 * bytes of the SHA-256 of the id's UTF-8), seq (0 for a marker), through, CRC32C of those 24
 * bytes, 4 zero bytes. Big-endian.
 */
final class IdIndex {
    static final byte[] MAGIC = {'P', 'L', 'M', 'P', 'S', 'I', 'D', 'S'};
    static final int HEADER = MAGIC.length + 8;
    static final int ENTRY = 32;
    private static final int PAYLOAD = 24;

    /** One message with an id: its id's hash and its seq. */
    record Entry(long hash, long seq) {
    }

    /**
     * What a reading found.
     *
     * @param hashed  the entries of the complete batches, in a table by hash
     * @param through the seq through which the index is complete (0: it says nothing)
     * @param clean   whether every byte of the file was part of a trusted batch: else a write
     *                replaces it
     */
    record Contents(HashedIds hashed, long through, boolean clean) {
    }

    private IdIndex() {
    }

    /** {@return the hash the index keeps of a message id} */
    static long hash(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(id.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(digest).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Reads the index: empty contents (through 0, not clean) if there is none, it is not a
     * regular file, it names another incarnation, or it is larger than {@code maxEntries}
     * entries could make it (then it is not read at all: a file cannot make a load exhaust
     * memory).
     */
    static Contents read(Path file, long incarnation, long maxEntries) throws IOException {
        Contents none = new Contents(HashedIds.NONE, 0, false);
        if (incarnation == 0 || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return none;
        }
        byte[] all;
        try (FileChannel ch = SegmentLog.openRead(file)) {
            NotRegularFileException.requireRegular(file, FileIdentity.of(file));
            long size = ch.size();
            if (size < HEADER || size > HEADER + (maxEntries + 1) * ENTRY
                    || size > Integer.MAX_VALUE - 8) {
                return none;
            }
            ByteBuffer b = ByteBuffer.allocate((int) size);
            SegmentLog.readFully(ch, b, 0);
            all = b.array();
        } catch (NoSuchFileException e) {
            return none;
        }
        if (!headerNames(all, incarnation)) {
            return none;
        }
        int capacity = (all.length - HEADER) / ENTRY;
        long[] hashes = new long[capacity];
        long[] seqs = new long[capacity];
        int kept = 0; // entries of the batch being read start at kept, trusted ones end there
        int trusted = 0;
        long covered = 0;
        long pending = -1; // the through of the batch being read, -1 between batches
        int trustedEnd = HEADER;
        CRC32C crc = new CRC32C();
        for (int at = HEADER; at + ENTRY <= all.length; at += ENTRY) {
            long hash = (long) LONGS.get(all, at);
            long seq = (long) LONGS.get(all, at + 8);
            long through = (long) LONGS.get(all, at + 16);
            crc.reset();
            crc.update(all, at, PAYLOAD);
            if ((int) crc.getValue() != (int) INTS.get(all, at + PAYLOAD) || through < covered
                    || seq < 0 || seq > through || seq > 0 && seq <= covered
                    || pending >= 0 && through != pending) {
                break;
            }
            if (seq == 0) {
                covered = through;
                pending = -1;
                trustedEnd = at + ENTRY;
                trusted = kept;
            } else {
                pending = through;
                hashes[kept] = hash;
                seqs[kept] = seq;
                kept++;
            }
        }
        return new Contents(new HashedIds(java.util.Arrays.copyOf(hashes, trusted),
                java.util.Arrays.copyOf(seqs, trusted)), covered, trustedEnd == all.length);
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class,
                    java.nio.ByteOrder.BIG_ENDIAN);
    private static final java.lang.invoke.VarHandle INTS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(int[].class,
                    java.nio.ByteOrder.BIG_ENDIAN);

    /**
     * {@return the seq through which the index says it is complete, from its header and its last
     * entry alone; -1 if there is no index, it names another incarnation, or its last entry is
     * not a valid marker}: what an append asks before it adds a batch
     */
    static long through(Path file, long incarnation) throws IOException {
        if (incarnation == 0 || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return -1;
        }
        try (FileChannel ch = SegmentLog.openRead(file)) {
            NotRegularFileException.requireRegular(file, FileIdentity.of(file));
            long size = ch.size();
            if (size < HEADER + ENTRY || (size - HEADER) % ENTRY != 0) {
                return -1;
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER);
            SegmentLog.readFully(ch, header, 0);
            ByteBuffer last = ByteBuffer.allocate(ENTRY);
            SegmentLog.readFully(ch, last, size - ENTRY);
            if (header.hasRemaining() || last.hasRemaining()
                    || !headerNames(header.array(), incarnation)) {
                return -1;
            }
            last.flip();
            last.getLong();
            long seq = last.getLong();
            long through = last.getLong();
            if (seq != 0 || through < 1 || !checksumHolds(last.array(), 0, last.getInt())) {
                return -1;
            }
            return through;
        } catch (NoSuchFileException e) {
            return -1;
        }
    }

    /**
     * Appends one batch, the entries of messages {@code after + 1 .. through} (and its marker),
     * to an index complete through {@code after}; creates the file with its header when
     * {@code after} is 0 and there is none.
     */
    static void append(Path file, long incarnation, List<Entry> entries, long through)
            throws IOException {
        // Looked at before it is opened too: opening a FIFO for writing waits for a reader.
        NotRegularFileException.requireRegular(file, FileIdentity.of(file));
        try (FileChannel ch = SparseIndex.openForWriting(file)) {
            NotRegularFileException.requireRegular(file, FileIdentity.of(file));
            long size = ch.size();
            long whole = size < HEADER ? 0 : HEADER + (size - HEADER) / ENTRY * ENTRY;
            ByteBuffer b = ByteBuffer.allocate(HEADER + (entries.size() + 1) * ENTRY);
            if (whole == 0) {
                b.put(MAGIC).putLong(incarnation);
            }
            for (Entry e : entries) {
                put(b, e.hash(), e.seq(), through);
            }
            put(b, 0, 0, through);
            b.flip();
            if (whole < size) {
                ch.truncate(whole);
            }
            long at = whole;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
        }
    }

    /**
     * Replaces the index with one batch holding every message with an id through
     * {@code through}: unlinked and made anew rather than rewritten in place, so that no byte
     * of the old file can stand among the new one's after a crash.
     */
    static void replace(Path file, long incarnation, List<Entry> entries, long through)
            throws IOException {
        NotRegularFileException.requireRegular(file, FileIdentity.of(file));
        Files.deleteIfExists(file);
        append(file, incarnation, entries, through);
    }

    private static boolean headerNames(byte[] bytes, long incarnation) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return ByteBuffer.wrap(bytes, MAGIC.length, 8).getLong() == incarnation;
    }

    private static boolean checksumHolds(byte[] bytes, int at, int stored) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, at, PAYLOAD);
        return (int) crc.getValue() == stored;
    }

    private static void put(ByteBuffer b, long hash, long seq, long through) {
        int start = b.position();
        b.putLong(hash).putLong(seq).putLong(through);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), start, PAYLOAD);
        b.putInt((int) crc.getValue()).putInt(0);
    }

    /**
     * Seqs by id hash: the index's entries as two arrays of primitives (16 bytes a message),
     * looked through from end to end while a store asks about a few ids (an append, a retry),
     * and put in an open-addressing table once it has asked about many (an import).
     */
    static final class HashedIds {
        static final HashedIds NONE = new HashedIds(new long[0], new long[0]);
        private static final int SCANS_BEFORE_TABLE = 16;

        private final long[] hashes;
        private final long[] seqs;
        private int scans;
        private long[] tableHashes;
        private long[] tableSeqs;
        private int mask;

        HashedIds(long[] hashes, long[] seqs) {
            this.hashes = hashes;
            this.seqs = seqs;
        }

        /** {@return the seqs of the messages whose id has this hash, in no order} */
        long[] candidates(long hash) {
            long[] found = new long[0];
            if (hashes.length == 0) {
                return found;
            }
            if (tableSeqs == null && ++scans <= SCANS_BEFORE_TABLE) {
                for (int i = 0; i < hashes.length; i++) {
                    if (hashes[i] == hash) {
                        found = append(found, seqs[i]);
                    }
                }
                return found;
            }
            if (tableSeqs == null) {
                buildTable();
            }
            for (int i = slot(hash); tableSeqs[i] != 0; i = (i + 1) & mask) {
                if (tableHashes[i] == hash) {
                    found = append(found, tableSeqs[i]);
                }
            }
            return found;
        }

        int size() {
            return hashes.length;
        }

        /** {@return every entry, in the index's order} */
        List<Entry> entries() {
            List<Entry> out = new java.util.ArrayList<>(hashes.length);
            for (int i = 0; i < hashes.length; i++) {
                out.add(new Entry(hashes[i], seqs[i]));
            }
            return out;
        }

        private void buildTable() {
            int slots = Integer.highestOneBit(Math.max(4, hashes.length * 2 - 1)) << 1;
            long[] th = new long[slots];
            long[] ts = new long[slots];
            mask = slots - 1;
            for (int e = 0; e < hashes.length; e++) {
                int i = slot(hashes[e]);
                while (ts[i] != 0) {
                    i = (i + 1) & mask;
                }
                th[i] = hashes[e];
                ts[i] = seqs[e];
            }
            tableHashes = th;
            tableSeqs = ts;
        }

        private static long[] append(long[] found, long seq) {
            long[] more = java.util.Arrays.copyOf(found, found.length + 1);
            more[found.length] = seq;
            return more;
        }

        private int slot(long hash) {
            long h = hash * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }
    }
}
