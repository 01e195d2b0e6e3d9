package dev.palimpsest.store.file;

import dev.palimpsest.format.FormatCodec;
import dev.palimpsest.format.LogRecord;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The log segments of one conversation: {@code conversation-<stem>.<8 digits>.log}, numbered
 * from 1. A segment starts with a header that names its conversation and number, then holds
 * records framed as {@code u32 length, u32 CRC32C of the payload, payload} (big-endian). A frame of
 * length 0 ends the records: segments are zero-filled ahead of use, so that an append overwrites
 * zeros instead of growing the file.
 *
 * <p>A bad frame (a CRC that does not match, a length past the end) that only zeros follow in the
 * last segment is a torn tail: the last append did not finish, and was never acknowledged.
 * Readers stop before it; only a locked write overwrites it. Anything else is damage, reported as
 * {@code CORRUPT}.
 */
final class SegmentLog {
    static final byte[] MAGIC = "PLMPSLOG".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int FRAME_HEADER = 8;
    private static final int READ_CHUNK = 64 * 1024;

    private final Path directory;
    private final String stem;
    private final String convId;
    private final byte[] idUtf8;
    private final int maxRecordBytes;

    SegmentLog(Path directory, String stem, String convId, int maxRecordBytes) {
        this.directory = directory;
        this.stem = stem;
        this.convId = convId;
        this.idUtf8 = convId.getBytes(StandardCharsets.UTF_8);
        this.maxRecordBytes = maxRecordBytes;
    }

    /** A position in the log: a segment and a byte offset in it. */
    record Position(long segment, long offset) {
    }

    /** What a read of the log found at its end. */
    record End(Position position, long segmentSize, boolean tornTail) {
    }

    /** Receives the records of a read, each with its position and the position after it. */
    @FunctionalInterface
    interface Visitor {
        void record(LogRecord record, Position at, Position next, int frameBytes);
    }

    Path segment(long n) {
        return directory.resolve(ConversationIdCodec.segmentName(stem, n));
    }

    int headerLength() {
        return MAGIC.length + 4 + 4 + 8 + 4 + idUtf8.length + 4;
    }

    byte[] header(long segment) {
        ByteBuffer b = ByteBuffer.allocate(headerLength()).order(ByteOrder.BIG_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(headerLength()).putLong(segment)
                .putInt(idUtf8.length).put(idUtf8);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    PalimpsestException corrupt(long segment, long offset, String detail) {
        return new PalimpsestException(FailureKind.CORRUPT, convId, String.format(
                "log of '%s' is damaged: %s at byte %d: %s", convId,
                segment(segment).getFileName(), offset, detail));
    }

    static FileChannel openRead(Path file) throws IOException {
        return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    /** Checks the header of an open segment; returns its length. */
    int checkHeader(FileChannel ch, long segment) throws IOException {
        int len = headerLength();
        ByteBuffer b = ByteBuffer.allocate(len);
        readFully(ch, b, 0);
        if (b.position() < len) {
            throw corrupt(segment, 0, "the header is cut short");
        }
        if (!Arrays.equals(b.array(), header(segment))) {
            byte[] got = b.array();
            if (!Arrays.equals(Arrays.copyOf(got, MAGIC.length), MAGIC)) {
                throw corrupt(segment, 0, "not a Palimpsest log segment");
            }
            throw corrupt(segment, 0, "the header does not name segment " + segment + " of '"
                    + convId + "' (or its checksum fails)");
        }
        return len;
    }

    /**
     * Whether segment 1 is a regular file whose header names this conversation and whose first
     * record is whole (its checksum holds): then the conversation exists, and {@code list} knows
     * it without replaying anything. False means "cannot tell cheaply" (no segment, not a
     * regular file, a first record torn or still being written, damage): the caller loads.
     */
    boolean firstRecordIsWhole() {
        return firstRecordIsWhole(() -> false);
    }

    /** A first record up to this size is checked whole, read with its header in one go. */
    private static final int CHECKED_WHOLE = 64 * 1024;

    /**
     * As {@link #firstRecordIsWhole()}; a first record larger than 64 KiB whose frame fits the
     * file is taken as whole without reading it when {@code committed} says a record was
     * committed (the head in the lock file, which is written only after one): what {@code list}
     * asks of 10,000 conversations, whose first records may be megabytes each.
     */
    boolean firstRecordIsWhole(java.util.function.BooleanSupplier committed) {
        Path file = segment(1);
        try {
            if (!java.nio.file.Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class,
                    java.nio.file.LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                return false;
            }
            try (FileChannel ch = openRead(file)) {
                int header = headerLength();
                ByteBuffer start = ByteBuffer.allocate(header + FRAME_HEADER + CHECKED_WHOLE);
                readFully(ch, start, 0);
                if (start.position() < header + FRAME_HEADER || !Arrays.equals(start.array(), 0,
                        header, header(1), 0, header)) {
                    return false;
                }
                long len = start.getInt(header) & 0xFFFFFFFFL;
                long crc = start.getInt(header + 4) & 0xFFFFFFFFL;
                if (len == 0 || len > maxRecordBytes || header + FRAME_HEADER + len > ch.size()) {
                    return false;
                }
                CRC32C c = new CRC32C();
                if (len <= CHECKED_WHOLE) {
                    if (start.position() < header + FRAME_HEADER + len) {
                        return false;
                    }
                    c.update(start.array(), header + FRAME_HEADER, (int) len);
                } else {
                    if (committed.getAsBoolean()) {
                        return true;
                    }
                    ByteBuffer payload = ByteBuffer.allocate((int) len);
                    readFully(ch, payload, header + FRAME_HEADER);
                    if (payload.hasRemaining()) {
                        return false;
                    }
                    c.update(payload.array());
                }
                return (c.getValue() & 0xFFFFFFFFL) == crc;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException | PalimpsestException e) {
            return false;
        }
    }

    /** Reads the conversation id a segment's header names, for listing hashed stems. */
    static String idOfSegment(Path file) throws IOException {
        NotRegularFileException.requireRegular(file, FileIdentity.of(file));
        try (FileChannel ch = openRead(file)) {
            ByteBuffer fixed = ByteBuffer.allocate(MAGIC.length + 4 + 4 + 8 + 4);
            readFully(ch, fixed, 0);
            fixed.flip();
            if (fixed.remaining() < fixed.capacity()) {
                throw new IOException("header cut short");
            }
            byte[] magic = new byte[MAGIC.length];
            fixed.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a log segment");
            }
            fixed.getInt();
            fixed.getInt();
            fixed.getLong();
            int idLen = fixed.getInt();
            if (idLen < 1 || idLen > 4096) {
                throw new IOException("bad id length");
            }
            ByteBuffer id = ByteBuffer.allocate(idLen);
            readFully(ch, id, fixed.capacity());
            if (id.hasRemaining()) {
                throw new IOException("header cut short");
            }
            return new String(id.array(), StandardCharsets.UTF_8);
        }
    }

    static void readFully(FileChannel ch, ByteBuffer b, long position) throws IOException {
        long p = position;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                return;
            }
            p += n;
        }
    }

    /**
     * Reads the records from {@code from} (offset 0: the first record of that segment) to the
     * end, giving each to {@code visitor} unless it is null.
     *
     * @return the end, or null if segment 1 does not exist
     */
    End read(Position from, Visitor visitor) throws IOException {
        return read(from, visitor, true);
    }

    /**
     * Reads like {@link #read(Position, Visitor)} from {@code from}, after checking the frames
     * from {@code checkFrom} up to it by their length and CRC32C alone (a bad frame there is
     * damage, since a record follows it, and {@code from} must be a record boundary): what a
     * store that decodes only the newest round does to the log a load would replay, at a fraction
     * of the decoding's cost, through one descriptor per segment.
     *
     * <p>With {@code trustedEnd}, a zero frame header found exactly there in the last segment
     * ends the log without the look at the zero-filled space after it (up to the 1 MiB filled
     * ahead of use). The caller passes it only where every writer bears it out (see the claimed
     * end in {@link ConversationLocks}): the last writer claimed that end and wrote the head for
     * it, so it finished its record, and any later writer would have claimed another end first.
     *
     * @param checkFrom  where the checked frames start (offset 0: the first record of that
     *                   segment); at or before {@code from}
     * @param from       where the decoded records start
     * @param trustedEnd the end the caller knows the log to have, or null
     * @param visitor    given each record from {@code from} on
     * @return the end, or null if segment 1 does not exist
     */
    End read(Position checkFrom, Position from, Position trustedEnd, Visitor visitor)
            throws IOException {
        return read(checkFrom, from, trustedEnd, visitor, true);
    }

    /**
     * Checks the frames from {@code from} to {@code to}, a record boundary of this log, by their
     * length and CRC32C without decoding the records (see
     * {@link #read(Position, Position, Position, Visitor)}).
     */
    void verifyFrames(Position from, Position to) throws IOException {
        if (!before(from, to)) {
            return;
        }
        End end;
        try {
            end = read(from, to, null, (record, at, next, bytes) -> {
                throw new Reached();
            }, false);
        } catch (Reached reached) {
            // Every frame before it is whole.
            return;
        }
        if (end == null) {
            throw corrupt(to.segment(), to.offset(), "no record boundary here");
        }
        // The log ends at to: every frame before it is whole, which read checked.
    }

    /** Ends {@link #verifyFrames} at its bound; carries no stack. */
    private static final class Reached extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Reached() {
            super(null, null, false, false);
        }
    }

    private static boolean before(Position a, Position b) {
        return a.segment() < b.segment()
                || a.segment() == b.segment() && a.offset() < b.offset();
    }

    private End read(Position from, Visitor visitor, boolean decode) throws IOException {
        return read(from, from, null, visitor, decode);
    }

    /**
     * Reads the records from {@code checkFrom} to the end: those before {@code from} checked by
     * their frames only, those after given to {@code visitor} (decoded if {@code decode}).
     */
    private End read(Position checkFrom, Position from, Position trustedEnd, Visitor visitor,
                     boolean decode) throws IOException {
        long segment = checkFrom.segment();
        long offset = checkFrom.offset();
        while (true) {
            Path file = segment(segment);
            FileChannel ch;
            try {
                // Looked at before it is opened: opening a FIFO for reading waits for a writer.
                NotRegularFileException.requireRegular(file, FileIdentity.of(file));
                ch = openRead(file);
            } catch (NoSuchFileException e) {
                if (segment == checkFrom.segment()) {
                    if (segment == 1) {
                        return null;
                    }
                    throw corrupt(segment, offset, "the segment is missing");
                }
                throw corrupt(segment - 1, 0, "the next segment is missing");
            }
            try (ch) {
                NotRegularFileException.requireRegular(file, FileIdentity.of(file));
                int header = checkHeader(ch, segment);
                long size = ch.size();
                long pos = Math.max(offset, header);
                FrameReader reader = new FrameReader(ch, pos);
                long endAt;
                while (true) {
                    long at = reader.position();
                    boolean checkOnly = segment < from.segment()
                            || segment == from.segment() && at < from.offset();
                    if (size - at < FRAME_HEADER) {
                        if (!allZero(ch, at, size)) {
                            return tornOrDamaged(ch, segment, at, size, maxRecordBytes);
                        }
                        endAt = at;
                        break;
                    }
                    long len = reader.u32();
                    long crc = reader.u32();
                    if (len == 0 && crc == 0) {
                        if (trustedEnd != null && trustedEnd.segment() == segment
                                && trustedEnd.offset() == at && !nextSegmentExists(segment)) {
                            if (checkOnly) {
                                throw corrupt(from.segment(), from.offset(),
                                        "no record boundary here");
                            }
                            return new End(new Position(segment, at), size, false);
                        }
                        if (!allZero(ch, at, size)) {
                            // A torn append whose header sector did not reach the disk but
                            // some of its payload did: as long as a record could be.
                            return tornOrDamaged(ch, segment, at, size, maxRecordBytes);
                        }
                        endAt = at;
                        break;
                    }
                    if (len == 0 || len > maxRecordBytes || at + FRAME_HEADER + len > size) {
                        return tornOrDamaged(ch, segment, at, size, len);
                    }
                    byte[] payload = reader.bytes((int) len);
                    CRC32C c = new CRC32C();
                    c.update(payload);
                    if ((c.getValue() & 0xFFFFFFFFL) != crc) {
                        return tornOrDamaged(ch, segment, at, size, len);
                    }
                    long next = at + FRAME_HEADER + len;
                    if (checkOnly) {
                        if (segment == from.segment() && next > from.offset()) {
                            throw corrupt(from.segment(), from.offset(),
                                    "no record boundary here");
                        }
                        continue;
                    }
                    LogRecord record = null;
                    try {
                        if (decode) {
                            record = FormatCodec.decodeRecord(payload, 0, payload.length);
                        }
                    } catch (PalimpsestException e) {
                        throw corrupt(segment, at, e.getMessage());
                    }
                    if (visitor != null) {
                        visitor.record(record, new Position(segment, at),
                                new Position(segment, next), (int) (FRAME_HEADER + len));
                    }
                }
                if (nextSegmentExists(segment)) {
                    segment++;
                    offset = 0;
                    continue;
                }
                if (segment < from.segment()
                        || segment == from.segment() && endAt < from.offset()) {
                    throw corrupt(from.segment(), from.offset(), "no record boundary here");
                }
                return new End(new Position(segment, endAt), size, false);
            }
        }
    }

    private boolean nextSegmentExists(long segment) {
        return java.nio.file.Files.exists(segment(segment + 1), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * A bad frame at {@code at} claiming {@code claimed} payload bytes. Appends are written and
     * forced one at a time, each into zeros, and a frame header never straddles a sector: a torn
     * append leaves at most its own claimed bytes, with nothing but zeros after them. Anything
     * after that, or a bad frame before the last segment, is damage.
     */
    private End tornOrDamaged(FileChannel ch, long segment, long at, long size, long claimed)
            throws IOException {
        if (nextSegmentExists(segment)) {
            throw corrupt(segment, at, "a damaged record before the last segment");
        }
        long claimedEnd = Math.min(size, at + FRAME_HEADER + Math.min(claimed, maxRecordBytes));
        if (allZero(ch, claimedEnd, size)) {
            return new End(new Position(segment, at), size, true);
        }
        throw corrupt(segment, at, "a damaged record followed by more data");
    }

    /** Whether every byte in [from, to) of {@code ch} is zero. */
    static boolean allZero(FileChannel ch, long from, long to) throws IOException {
        // Every whole-window load looks at the space filled ahead of use (1 MiB), mostly before
        // the JIT has compiled anything. The words are copied out in bulk (a native copy) and
        // OR-ed in a loop that calls nothing: 2 ms for 1 MiB in a cold JVM, where a getLong per
        // word through the buffer, or Arrays.mismatch, took 5 to 6 ms.
        int chunk = (int) Math.min(READ_CHUNK, Math.max(0, to - from));
        ByteBuffer b = ByteBuffer.allocateDirect(chunk).order(ByteOrder.nativeOrder());
        long[] words = new long[chunk >>> 3];
        for (long p = from; p < to; ) {
            b.clear();
            b.limit((int) Math.min(chunk, to - p));
            int n = ch.read(b, p);
            if (n <= 0) {
                return true;
            }
            int w = n >>> 3;
            b.flip();
            b.asLongBuffer().get(words, 0, w);
            long any = 0;
            for (int i = 0; i < w; i++) {
                any |= words[i];
            }
            for (int i = w << 3; i < n; i++) {
                any |= b.get(i);
            }
            if (any != 0) {
                return false;
            }
            p += n;
        }
        return true;
    }

    /** Buffered sequential reads of frames from a channel. */
    private static final class FrameReader {
        private final FileChannel ch;
        private final ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
        private long bufStart;
        private long pos;

        FrameReader(FileChannel ch, long pos) {
            this.ch = ch;
            this.pos = pos;
            buf.limit(0);
            bufStart = pos;
        }

        long position() {
            return pos;
        }

        private void ensure(int n) throws IOException {
            long inBuf = bufStart + buf.limit() - pos;
            if (inBuf >= n) {
                return;
            }
            buf.clear();
            bufStart = pos;
            readFully(ch, buf, pos);
            buf.flip();
        }

        long u32() throws IOException {
            ensure(4);
            int i = (int) (pos - bufStart);
            long v = ((buf.get(i) & 0xFFL) << 24) | ((buf.get(i + 1) & 0xFFL) << 16)
                    | ((buf.get(i + 2) & 0xFFL) << 8) | (buf.get(i + 3) & 0xFFL);
            pos += 4;
            return v;
        }

        byte[] bytes(int n) throws IOException {
            byte[] out = new byte[n];
            long inBuf = bufStart + buf.limit() - pos;
            if (inBuf >= n) {
                buf.position((int) (pos - bufStart));
                buf.get(out);
            } else {
                ByteBuffer direct = ByteBuffer.wrap(out);
                readFully(ch, direct, pos);
            }
            pos += n;
            return out;
        }
    }
}
