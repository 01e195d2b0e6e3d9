package dev.palimpsest.persist.internal;

import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CorruptStateException;
import dev.palimpsest.persist.StateTooLargeException;
import dev.palimpsest.persist.StoreIOException;
import dev.palimpsest.persist.StoreIOException.Step;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A conversation's append-only archive: one JSON object per line (JSON Lines), each a round that
 * compaction removed from the state.
 *
 * <p>An append writes whole lines and forces them to stable storage before it returns. A crash
 * in the middle of an append can leave a torn last line (no terminating newline); the next append
 * first truncates the file back to its last newline, and readers skip such a line. Only a line
 * ending in a newline counts as written. The caller fsyncs the directory after every append, so
 * that the file's entry is durable too, whoever created it.
 *
 * <p>Only a regular file is ever opened: anything else at the archive's name (a FIFO, whose
 * opening or reading waits for a writer forever, a directory, a link) is refused first. A
 * stream of the archive closes its file when it reaches the end or fails, when it is closed,
 * or, if it is dropped while still open, when it is garbage-collected, with a warning: a
 * caller that forgets to close its streams cannot run out of file descriptors unnoticed.
 */
final class ArchiveFile {
    /** What an archive is called in the errors about it. */
    static final String WHAT = "unreadable archive";

    private static final int TAIL_CHUNK = 8192;
    /**
     * The logger's name. The logger itself is looked up only when a warning is due: finding the
     * logging service costs a cold read-only command (a launcher's {@code show}) milliseconds.
     */
    private static final String LOGGER = "dev.palimpsest.persist";

    private final StateFileCodec codec;
    private final FileOps ops;

    ArchiveFile(StateFileCodec codec, FileOps ops) {
        this.codec = codec;
        this.ops = ops;
    }

    /**
     * Appends rounds; the caller holds the conversation's lock.
     *
     * @param convId the conversation, for errors
     * @param file   the archive file
     * @param rounds the rounds, in order
     * @param known  an encoded state that may hold some of them (their JSON is copied from it,
     *               as it is the same as a fresh encoding), or null
     */
    void append(String convId, Path file, List<Round> rounds, EncodedState known) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        for (Round round : rounds) {
            int index = known == null ? -1 : known.indexOf(round);
            if (index >= 0) {
                // Within the limit: it is part of a state file that was.
                int length = known.roundTo(index) - known.roundFrom(index);
                lines.write(known.array(), known.roundFrom(index), length);
                lines.write('\n');
                continue;
            }
            byte[] line = codec.encodeArchiveLine(round);
            if (line.length > codec.maxBytes()) {
                throw new StateTooLargeException(convId, line.length,
                        codec.maxBytes(), "archive line of round " + round.seq());
            }
            lines.writeBytes(line);
        }
        boolean created = false;
        FileChannel channel;
        try {
            // Refused before opening: a FIFO opened for reading and writing does not block, but
            // reading its tail would, forever.
            if (FileConversationStore.requireRegularOrAbsent(convId, file, WHAT) == null) {
                throw new NoSuchFileException(file.toString());
            }
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ,
                    LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException missing) {
            try {
                channel = ops.createNew(file);
                created = true;
            } catch (IOException e) {
                throw new StoreIOException(convId, Step.CREATE, file, e);
            }
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.CREATE, file, e);
        }
        Step step = Step.READ;
        long end = 0;
        try {
            end = created ? 0 : endOfLastLine(channel);
            step = Step.WRITE;
            if (end < channel.size()) {
                // A torn line of a crashed append: cut it off, it was never acknowledged.
                channel.truncate(end);
            }
            channel.position(end);
            ops.write(channel, ByteBuffer.wrap(lines.toByteArray()));
            step = Step.FSYNC;
            ops.force(channel);
            step = Step.CLOSE;
            ops.close(channel);
        } catch (IOException e) {
            if (step != Step.READ && step != Step.CLOSE && channel.isOpen()) {
                // Unacknowledged lines must not stay behind to be read as archived: cut them.
                // Best effort: if this fails too, a crash-torn line is repaired by the next
                // append, and whole lines are read as rounds archived twice at worst.
                try {
                    channel.truncate(end);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new StoreIOException(convId, step, file, e);
        }
    }

    /** Returns the length of the file up to and including its last newline. */
    private static long endOfLastLine(FileChannel channel) throws IOException {
        long size = channel.size();
        ByteBuffer buffer = ByteBuffer.allocate(TAIL_CHUNK);
        long position = size;
        while (position > 0) {
            int length = (int) Math.min(TAIL_CHUNK, position);
            position -= length;
            buffer.clear().limit(length);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer, position + buffer.position()) < 0) {
                    throw new IOException("the archive shrank while it was read");
                }
            }
            for (int i = length - 1; i >= 0; i--) {
                if (buffer.get(i) == '\n') {
                    return position + i + 1;
                }
            }
        }
        return 0;
    }

    /**
     * Streams the rounds of an archive; a torn last line is skipped (and left in the file).
     *
     * @param convId the conversation, for errors
     * @param file   the archive file
     * @return the rounds; the stream holds the open file until it is closed, reaches its end or
     *         fails
     */
    Stream<Round> read(String convId, Path file) {
        if (FileConversationStore.requireRegularOrAbsent(convId, file, WHAT) == null) {
            return Stream.empty();
        }
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return Stream.empty();
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.READ, file, e);
        }
        OpenArchive open = new OpenArchive(convId, file, channel);
        LineSpliterator lines = new LineSpliterator(convId, file,
                new BufferedInputStream(Channels.newInputStream(channel), 65536), open);
        // The spliterator is what the stream and its iterators hold: once it is unreachable,
        // nobody can read or close the file any more.
        open.cleanable = Cleaners.CLEANER.register(lines, open);
        return StreamSupport.stream(lines, false).onClose(open::close);
    }

    /** The cleaner, started with the first archive stream (a launcher's show never needs it). */
    private static final class Cleaners {
        static final Cleaner CLEANER = Cleaner.create(
                body -> DeferredCloser.daemon(body, "palimpsest-cleaner"));
    }

    /**
     * The open file of one stream, and what closes it: the stream's end, failure or close (at
     * once, quietly), or the cleaner once the stream is unreachable (with a warning). It must not
     * refer to the stream, or the stream would never become unreachable.
     */
    private static final class OpenArchive implements Runnable {
        private final String convId;
        private final Path file;
        private final FileChannel channel;
        private volatile boolean closedByOwner;
        private Cleaner.Cleanable cleanable;

        OpenArchive(String convId, Path file, FileChannel channel) {
            this.convId = convId;
            this.file = file;
            this.channel = channel;
        }

        /** Closes the file now; idempotent. */
        void close() {
            closedByOwner = true;
            Objects.requireNonNull(cleanable, "registered").clean();
        }

        @Override
        public void run() {
            if (!closedByOwner) {
                System.getLogger(LOGGER).log(System.Logger.Level.WARNING, "an archive stream of conversation '"
                        + convId + "' was never closed; its file " + file + " is closed now that "
                        + "the stream was garbage-collected. Close every stream of "
                        + "ConversationStore.archive and ConversationEngine.transcriptStream "
                        + "(try-with-resources), or read it to its end");
            }
            try {
                channel.close();
            } catch (IOException e) {
                // Nothing was written through it: a failed close of a file opened for reading
                // loses nothing, and the descriptor is gone all the same.
            }
        }
    }

    /** Reads whole lines and decodes each; stops at the end or at a torn last line. */
    private final class LineSpliterator extends Spliterators.AbstractSpliterator<Round> {
        private final String convId;
        private final Path file;
        private final InputStream in;
        private final OpenArchive open;
        private long lineNumber;
        private byte[] line = new byte[4096];
        private boolean done;

        LineSpliterator(String convId, Path file, InputStream in, OpenArchive open) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.convId = convId;
            this.file = file;
            this.in = in;
            this.open = open;
        }

        @Override
        public boolean tryAdvance(Consumer<? super Round> action) {
            if (done) {
                return false;
            }
            Round round;
            try {
                round = readRound();
            } catch (RuntimeException e) {
                // A failed stream is over: its file need not stay open until it is closed.
                done = true;
                open.close();
                throw e;
            }
            if (round == null) {
                done = true;
                open.close();
                return false;
            }
            action.accept(round);
            return true;
        }

        /** Reads the next whole line's round; null at the end or before a torn last line. */
        private Round readRound() {
            int length = 0;
            try {
                while (true) {
                    int b = in.read();
                    if (b < 0) {
                        // The end of the file: a line without its newline is torn, not written.
                        return null;
                    }
                    if (b == '\n') {
                        break;
                    }
                    if (length == line.length) {
                        if (length >= codec.maxBytes()) {
                            throw corrupt(CorruptStateException.Reason.TOO_LARGE,
                                    "line " + (lineNumber + 1) + " is longer than the limit of "
                                            + codec.maxBytes() + " bytes", null);
                        }
                        line = Arrays.copyOf(line,
                                (int) Math.min(codec.maxBytes(), (long) length * 2));
                    }
                    line[length++] = (byte) b;
                }
            } catch (IOException e) {
                throw new StoreIOException(convId, Step.READ, file, e);
            }
            lineNumber++;
            try {
                return codec.decodeArchiveLine(line, 0, length);
            } catch (StateFileCodec.FormatException e) {
                throw corrupt(e.reason(), "line " + lineNumber + ": " + e.getMessage(), e);
            }
        }

        private CorruptStateException corrupt(CorruptStateException.Reason reason, String detail,
                                              Throwable cause) {
            return new CorruptStateException(convId, file, WHAT, reason, detail, cause);
        }
    }
}
