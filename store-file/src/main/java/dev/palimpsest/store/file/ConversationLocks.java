package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The JVM-wide registry of conversation locks. A conversation's lock is an in-process
 * {@link ReentrantLock} plus, while the outermost holder holds it, an exclusive {@link FileLock}
 * on the conversation's stable {@code .lock} file, which excludes other processes.
 *
 * <p>Why this shape: a {@code FileLock} belongs to the whole JVM (a second lock on the same file
 * from this JVM throws, and closing any other channel on the file drops it), so threads must be
 * serialized in-process first, and at most one channel per lock file is open in this JVM. The
 * registry is static and keyed by the lock file's real path, so two stores opened on the same
 * root (or on two paths to it) share the locks. The channel is opened when the outermost holder
 * first locks, and kept open when it unlocks (the file lock released), for at most
 * {@link DescriptorBudget#PER_KIND} lock files per JVM, so that locking a conversation again costs the
 * {@code fcntl} calls and one {@code stat} (that the file at the name is still the one open)
 * instead of an open, two {@code stat}s and a close. Past the bound, a lock file not kept open
 * is kept, in place of the one kept open longest unused, once in {@value
 * DescriptorBudget#ADMIT_ONE_IN} times (see {@link DescriptorBudget#admitsOverBound}); when a
 * store closes, the lock files it opened are closed. Lock files are never deleted: a process waiting on a deleted file would lock a file
 * nobody else sees.
 *
 * <p><b>False deadlocks.</b> {@code FileChannel.lock()} is {@code fcntl(F_SETLKW)}, whose
 * deadlock detection reasons per process: thread 1 of process P holding conversation a's lock
 * and thread 2 of P waiting for b's, while process Q holds b and waits for a, is a cycle to the
 * kernel although no thread waits for itself (no thread of this store ever holds two
 * conversations' file locks). The kernel then fails one of the waits with {@code EDEADLK}
 * ("Resource deadlock avoided"). A locker that gets any error from the blocking wait, other than
 * an interruption, therefore polls with {@code tryLock()} ({@code F_SETLK}, which never reports
 * a deadlock) with a short, growing, randomized and capped sleep, and goes back to the blocking
 * wait whenever this JVM holds no other file lock (then no cycle can pass through this process).
 * An error of {@code tryLock()} itself is real and is thrown. See {@code docs/durability.md}.
 *
 * <p><b>The incarnation.</b> The lock file outlives every other file of its conversation, and its
 * first 8 bytes hold the conversation's <em>incarnation</em>: a random number that a writer
 * replaces, under the lock, before it removes or replaces any of the conversation's files (a
 * delete, a quarantine, a first segment made anew). A store that caches a conversation keeps the
 * incarnation it read it under; reading the same one again under the lock tells it that the files
 * it cached are still the ones at the names, without a {@code stat} of the log (which would make
 * the next {@code fdatasync} of the log write its inode too: a {@code stat} asks for time stamps
 * fine enough to tell every write apart). It is written unforced: only live processes cache, and
 * they share the page cache. An empty lock file (one made before incarnations, or made anew) has
 * incarnation 0, which validates no cache.
 */
final class ConversationLocks {
    /** The first sleep of a locker that polls, in microseconds. */
    private static final long FIRST_BACKOFF_MICROS = 200;
    /** The longest sleep of a locker that polls, in microseconds. */
    private static final long MAX_BACKOFF_MICROS = 20_000;

    private static final Map<String, Entry> REGISTRY = new HashMap<>();
    /** How many times this JVM opened a lock file, for the tests of the descriptor bound. */
    static final java.util.concurrent.atomic.AtomicLong OPENS =
            new java.util.concurrent.atomic.AtomicLong();
    /** How many file locks this JVM holds right now. */
    private static final AtomicInteger FILE_LOCKS_HELD = new AtomicInteger();
    /** The most lock files this JVM keeps open while nobody holds their lock. */
    static final int MAX_KEPT_OPEN = DescriptorBudget.PER_KIND;
    /** How many lock files this JVM keeps open while nobody holds their lock (guarded by REGISTRY). */
    private static int keptOpen;
    /**
     * The entries whose channel is kept open and that nobody holds or waits for, the longest
     * unused first (guarded by REGISTRY): where a lock file to close for a new one is taken.
     */
    private static final Map<String, Entry> IDLE_KEPT = new java.util.LinkedHashMap<>();

    private ConversationLocks() {
    }

    /** One lock file's in-process state. */
    private static final class Entry {
        final String key;
        final ReentrantLock lock = new ReentrantLock();
        /**
         * Threads holding or waiting for {@link #lock}; at zero the entry leaves the map, unless
         * its channel is kept open.
         */
        int users;
        /**
         * The lock file's channel: open while the outermost holder holds the file lock, and kept
         * open after it if {@link #kept}. Used only by the holder of {@link #lock}.
         */
        FileChannel channel;
        /** The file lock, while the outermost holder holds it. */
        FileLock fileLock;
        /** The inode of the file {@link #channel} has open. */
        Object fileKey;
        /** Whether {@link #channel} counts in {@link #keptOpen}: it stays open when unlocked. */
        boolean kept;
        /**
         * The lock file's fields mapped into memory (see {@link #mapping}), or null; like the
         * channel, used only by the holder of {@link #lock}.
         */
        MappedByteBuffer mapped;
        /** Whether the file was too short to map when last looked at. */
        boolean tooShortToMap;

        Entry(String key) {
            this.key = key;
        }

        /** Closes the channel (dropping any file lock on it); called by the holder only. */
        void closeChannel() {
            if (channel == null) {
                return;
            }
            if (mapped != null) {
                MappedByteBuffer m = mapped;
                mapped = null;
                UNMAP.accept(m);
            }
            tooShortToMap = false;
            try {
                channel.close();
            } catch (IOException e) {
                // The kernel drops the lock when the descriptor goes, even if close reports an
                // error; what was written through it (incarnation, head) is never forced.
            }
            channel = null;
            fileLock = null;
            fileKey = null;
            if (kept) {
                kept = false;
                synchronized (REGISTRY) {
                    keptOpen--;
                }
            }
        }
    }

    /** A held lock; closing it unlocks. Not to be shared between threads. */
    static final class Held implements AutoCloseable {
        private final Entry entry;
        private final boolean opened;
        private boolean closed;

        private Held(Entry entry) {
            this(entry, false);
        }

        private Held(Entry entry, boolean opened) {
            this.entry = entry;
            this.opened = opened;
        }

        /** {@return whether this locker opened the lock file (it was not kept open)} */
        boolean opened() {
            return opened;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (entry.lock.getHoldCount() == 1 && entry.fileLock != null) {
                    FILE_LOCKS_HELD.decrementAndGet();
                    FileLock fileLock = entry.fileLock;
                    entry.fileLock = null;
                    boolean keep = entry.kept || reserveKept()
                            || DescriptorBudget.admitsOverBound() && closeLongestUnused()
                            && reserveKept();
                    entry.kept = keep;
                    if (keep) {
                        try {
                            // Kept open for the next locker: a lock then costs the fcntl calls
                            // and one stat, not an open, two stats and a close.
                            fileLock.release();
                        } catch (IOException e) {
                            entry.closeChannel();
                        }
                    } else {
                        entry.closeChannel();
                    }
                }
            } finally {
                entry.lock.unlock();
                release(entry);
            }
        }
    }

    /**
     * Closes those of {@code lockFiles} that this JVM keeps open and nobody holds or waits for:
     * what a store closes, the lock files it opened, so that a closed store leaves no descriptor
     * behind and leaves the other stores of its root theirs.
     *
     * @param lockFiles lock files, as given to {@link #lock(Path)}
     */
    static void closeKept(java.util.Collection<Path> lockFiles) {
        for (Path lockFile : lockFiles) {
            Entry entry;
            synchronized (REGISTRY) {
                Entry e = REGISTRY.get(lockFile.toString());
                if (e == null || e.users != 0 || !e.kept) {
                    continue;
                }
                entry = e;
                entry.users++;
                IDLE_KEPT.remove(entry.key);
            }
            // Taken like any locker, so no thread that retains it meanwhile sees it half closed.
            entry.lock.lock();
            try {
                if (entry.lock.getHoldCount() == 1 && entry.fileLock == null) {
                    entry.closeChannel();
                }
            } finally {
                entry.lock.unlock();
                release(entry);
            }
        }
    }

    /**
     * Locks the conversation whose lock file is {@code lockFile}, waiting as long as it takes,
     * creating the lock file if it does not exist. Reentrant: a thread that holds the lock gets
     * it again at once.
     *
     * @param lockFile the lock file, inside a directory given by its real path
     * @return the held lock
     * @throws NotRegularFileException if something other than a regular file is at the name
     * @throws IOException if the lock file cannot be opened or locked; the lock is then not held
     */
    static Held lock(Path lockFile) throws IOException {
        return lock(lockFile, true);
    }

    /**
     * Locks like {@link #lock(Path)}, but only if the lock file exists: a caller that only reads
     * (a check that repairs nothing) creates no file.
     *
     * @param lockFile the lock file
     * @return the held lock, or null if there is no lock file
     * @throws NotRegularFileException if something other than a regular file is at the name
     * @throws IOException if the lock file cannot be opened or locked
     */
    static Held lockIfExists(Path lockFile) throws IOException {
        return lock(lockFile, false);
    }

    private static Held lock(Path lockFile, boolean create) throws IOException {
        Entry entry = retain(lockFile.toString());
        entry.lock.lock();
        if (entry.lock.getHoldCount() > 1) {
            return new Held(entry);
        }
        try {
            if (entry.channel != null && !stillAtItsName(entry, lockFile)) {
                entry.closeChannel();
            }
            boolean openedHere = false;
            if (entry.channel == null) {
                FileIdentity[] opened = new FileIdentity[1];
                FileChannel channel = openLockFile(lockFile, create, opened);
                if (channel == null) {
                    entry.lock.unlock();
                    release(entry);
                    return null;
                }
                entry.channel = channel;
                entry.fileKey = opened[0].fileKey();
                openedHere = true;
                OPENS.incrementAndGet();
            }
            try {
                entry.fileLock = takeFileLock(entry.channel);
            } catch (IOException | RuntimeException | Error e) {
                // An interrupt closed the channel; any other failure leaves it unusable too.
                entry.closeChannel();
                throw e;
            }
            FILE_LOCKS_HELD.incrementAndGet();
            return new Held(entry, openedHere);
        } catch (IOException | RuntimeException | Error e) {
            entry.lock.unlock();
            release(entry);
            throw e;
        }
    }

    /**
     * Whether the file a kept channel has open is still the lock file at its name: a lock file
     * is never deleted by a store, but one deleted or replaced by hand must not be locked in
     * place of the one every other process opens.
     */
    private static boolean stillAtItsName(Entry entry, Path lockFile) throws IOException {
        try {
            java.nio.file.attribute.BasicFileAttributes now = java.nio.file.Files.readAttributes(
                    lockFile, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return now.isRegularFile() && Objects.equals(now.fileKey(), entry.fileKey);
        } catch (NoSuchFileException gone) {
            return false;
        }
    }

    /**
     * Takes the file lock: the blocking wait, and polling where the kernel refuses the wait (a
     * false deadlock; see the class comment).
     *
     * <p>Blocking in {@link FileChannel#lock()} is interruptible: an interrupt closes the channel
     * (and with it any lock it held), and {@code lock()} throws
     * {@link FileLockInterruptionException}; a thread whose interrupt status is already set gets
     * it at once, even if nobody holds the lock. The locker then fails with that exception, its
     * interrupt status still set, holding nothing: it does not retry, since an interrupt asks the
     * thread to stop. An interrupt while the locker polls (see the class comment) fails it the
     * same way. Other threads are not affected: the channel is used only by the holder of the
     * in-process lock, and the registry forgets a channel that an interrupt closed, so the next
     * outermost locker opens its own.
     */
    private static FileLock takeFileLock(FileChannel channel) throws IOException {
        IOException refused;
        try {
            return channel.lock();
        } catch (FileLockInterruptionException | ClosedChannelException interrupted) {
            throw interrupted;
        } catch (IOException e) {
            refused = e;
        }
        long backoff = FIRST_BACKOFF_MICROS;
        while (true) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (IOException e) {
                // Not a deadlock (F_SETLK reports none): a real failure to lock.
                e.addSuppressed(refused);
                throw e;
            }
            if (lock != null) {
                return lock;
            }
            if (FILE_LOCKS_HELD.get() == 0) {
                // No other lock held by this JVM: no cycle can pass through it, so wait in the
                // kernel again, which wakes this locker as soon as the holder releases.
                try {
                    return channel.lock();
                } catch (FileLockInterruptionException | ClosedChannelException interrupted) {
                    throw interrupted;
                } catch (IOException e) {
                    // Another thread took a lock meanwhile and the kernel saw a cycle again.
                    refused = e;
                }
            }
            long sleep = ThreadLocalRandom.current().nextLong(backoff / 2, backoff + 1);
            try {
                TimeUnit.MICROSECONDS.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                FileLockInterruptionException interrupted = new FileLockInterruptionException();
                interrupted.addSuppressed(refused);
                throw interrupted;
            }
            backoff = Math.min(MAX_BACKOFF_MICROS, backoff * 2);
        }
    }

    /**
     * Opens the lock file, creating it (mode 0600, set explicitly because the umask reduces the
     * mode given at creation) if it does not exist and {@code create} is set. Anything but a
     * regular file at the name is refused before it is opened (links are never followed, and
     * opening a FIFO could wait for a writer forever), and looked at again once open. The file
     * is opened for reading and writing, which on Linux never waits even if a FIFO was put there
     * between the look and the open. Opening a file is not interruptible, so an interrupt cannot
     * fail this step.
     */
    private static FileChannel openLockFile(Path lockFile, boolean create, FileIdentity[] opened)
            throws IOException {
        while (true) {
            FileIdentity before = FileIdentity.of(lockFile);
            if (before == null) {
                if (!create) {
                    return null;
                }
                try {
                    // Made with the owner-only mode, then opened for reading and writing below
                    // like any lock file, since its incarnation is read through the channel.
                    NioFileOps.INSTANCE.createNew(lockFile).close();
                } catch (FileAlreadyExistsException raced) {
                    // Another thread or process created it first: open theirs.
                }
                continue;
            }
            NotRegularFileException.requireRegular(lockFile, before);
            FileChannel channel;
            try {
                channel = FileChannel.open(lockFile, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException gone) {
                continue;
            }
            try {
                FileIdentity after = FileIdentity.of(lockFile);
                if (after == null || !after.regularFile()
                        || !Objects.equals(after.fileKey(), before.fileKey())) {
                    // Replaced between the look and the open: whatever was opened is not known
                    // to be the lock file every other process locks.
                    NotRegularFileException.requireRegular(lockFile, after);
                    throw new IOException("the lock file was replaced while it was opened");
                }
                opened[0] = after;
                return channel;
            } catch (IOException | RuntimeException | Error e) {
                channel.close();
                throw e;
            }
        }
    }

    /** Where the claimed end of the log is in a lock file: after the incarnation. */
    static final int CLAIM_OFFSET = Long.BYTES;
    /** Where the claimed end ends, and the head begins. */
    static final int CLAIM_END = CLAIM_OFFSET + 2 * Long.BYTES;
    /** The size of a lock file with all its fields: the incarnation, the claim and the head. */
    static final int FIELDS_SIZE = CLAIM_END + HeadBlock.SIZE;

    /**
     * What a lock file says beside the lock, read at once.
     *
     * @param incarnation  the conversation's incarnation; 0 if none was set
     * @param claimSegment the segment of the end of the log the last writer claimed before it
     *                     wrote; 0 if none was claimed
     * @param claimOffset  the offset of that end
     * @param headBytes    the bytes where the head is (see {@link HeadBlock}), as many as the
     *                     file holds of them; decoded only by {@link #head()}
     */
    record Fields(long incarnation, long claimSegment, long claimOffset, byte[] headBytes) {
        /** {@return the head these bytes hold under this incarnation, if they hold one} */
        java.util.Optional<HeadBlock.Head> head() {
            return HeadBlock.decode(incarnation, headBytes, headBytes.length);
        }

        /** {@return whether the claimed end is {@code end}} */
        boolean claims(SegmentLog.Position end) {
            return claimSegment == end.segment() && claimOffset == end.offset();
        }
    }

    /**
     * {@return the incarnation, the claimed end and the head's bytes in a lock file that this
     * thread holds}, from its mapping or in one {@code pread} (bytes after the head, which no
     * writer writes, are not looked at)
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @throws IllegalStateException if this thread does not hold the lock
     * @throws IOException if the lock file cannot be read
     */
    static Fields fields(Path lockFile) throws IOException {
        Entry entry = held(lockFile);
        MappedByteBuffer m = mapping(entry);
        if (m != null) {
            byte[] head = new byte[HeadBlock.SIZE];
            m.get(HeadBlock.OFFSET, head);
            return new Fields(m.getLong(0), m.getLong(CLAIM_OFFSET),
                    m.getLong(CLAIM_OFFSET + Long.BYTES), head);
        }
        ByteBuffer b = ByteBuffer.allocate(FIELDS_SIZE);
        // One read: a regular file gives every byte it has up to the buffer's end at once,
        // and a second call would only find its end.
        int n = Math.max(0, entry.channel.read(b, 0));
        if (n == FIELDS_SIZE) {
            entry.tooShortToMap = false; // grown since: mapped at the next look
        }
        long incarnation = n >= CLAIM_OFFSET ? b.getLong(0) : 0;
        byte[] head = n > HeadBlock.OFFSET
                ? Arrays.copyOfRange(b.array(), HeadBlock.OFFSET, n) : new byte[0];
        return n >= CLAIM_END
                ? new Fields(incarnation, b.getLong(CLAIM_OFFSET), b.getLong(CLAIM_OFFSET + 8),
                        head)
                : new Fields(incarnation, 0, 0, head);
    }

    /**
     * Claims the end the log will have once the write that follows is done, before it starts:
     * every writer claims before it changes the log, so a cache whose end is the claimed one
     * knows, without looking at the log, that no other process appended since (a writer killed
     * after its claim leaves a claim that matches no cache, which then looks at the log).
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @param segment  the segment the write will end in
     * @param offset   the offset it will end at
     * @throws IllegalStateException if this thread does not hold the lock
     * @throws IOException if the claim cannot be written; the log must then not be written
     */
    static void claim(Path lockFile, long segment, long offset) throws IOException {
        write(lockFile, ByteBuffer.allocate(2 * Long.BYTES).putLong(0, segment)
                .putLong(Long.BYTES, offset), CLAIM_OFFSET);
    }

    /**
     * Gives the conversation of a lock file that this thread holds a new incarnation, so that
     * every cache of it made before is seen to be stale.
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @return the new incarnation, never 0
     * @throws IllegalStateException if this thread does not hold the lock
     * @throws IOException if the lock file cannot be written; the files must then not be touched
     */
    static long renewIncarnation(Path lockFile) throws IOException {
        long incarnation;
        do {
            incarnation = ThreadLocalRandom.current().nextLong();
        } while (incarnation == 0);
        write(lockFile, ByteBuffer.allocate(Long.BYTES).putLong(0, incarnation), 0);
        return incarnation;
    }

    /**
     * Writes a head block (see {@link HeadBlock#encode}) over the one in a lock file that this
     * thread holds, unforced.
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @param block    the block's bytes, {@link HeadBlock#SIZE} of them
     * @throws IllegalStateException if this thread does not hold the lock
     * @throws IOException if the lock file cannot be written
     */
    static void writeHead(Path lockFile, ByteBuffer block) throws IOException {
        write(lockFile, block, HeadBlock.OFFSET);
    }

    /**
     * Zeroes what a lock file that this thread holds has after its incarnation (the claimed
     * end and the head), keeping its size: a delete's, since a lock file is never cut short
     * (another process may have it mapped, and reading a mapped page the file no longer has
     * faults).
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @param headOnly whether to zero the head only, keeping the claimed end
     * @throws IllegalStateException if this thread does not hold the lock
     * @throws IOException if the lock file cannot be written
     */
    static void clearAfterIncarnation(Path lockFile, boolean headOnly) throws IOException {
        Entry entry = held(lockFile);
        int from = headOnly ? HeadBlock.OFFSET : CLAIM_OFFSET;
        long size = entry.mapped != null ? FIELDS_SIZE : entry.channel.size();
        if (size > from) {
            write(lockFile, ByteBuffer.allocate((int) Math.min(size, FIELDS_SIZE) - from),
                    from);
        }
    }

    /** Writes {@code bytes} at {@code position} of a held lock file: into its mapping if any. */
    private static void write(Path lockFile, ByteBuffer bytes, int position) throws IOException {
        Entry entry = held(lockFile);
        MappedByteBuffer m = mapping(entry);
        if (m != null && position + bytes.remaining() <= FIELDS_SIZE) {
            m.put(position, bytes, bytes.position(), bytes.remaining());
            return;
        }
        ByteBuffer b = bytes.duplicate();
        while (b.hasRemaining()) {
            entry.channel.write(b, position + (b.position() - bytes.position()));
        }
    }

    /**
     * The lock file's fields mapped into memory, mapped now if need be; null if the channel is
     * not kept open (a lock file opened for one lock is read and written with {@code pread} and
     * {@code pwrite}), the file is shorter than its fields (mapping it would lengthen it, and a
     * reader changes no file), or the JVM cannot unmap at once.
     *
     * <p>Why: a lock file kept open is read and written at every change (the fields, the claim,
     * the head), and through a mapping those are memory accesses, not three system calls (about
     * 10 µs of a 190 µs append here). Other processes see the same page of the page cache, so
     * what is written through the mapping is what their {@code pread} or their mapping read, and
     * like the {@code pwrite} it replaces it is never forced. A mapping lives until
     * {@link Entry#closeChannel} unmaps it, so mappings are as bounded as the kept channels.
     */
    private static MappedByteBuffer mapping(Entry entry) throws IOException {
        if (entry.mapped != null || !entry.kept || UNMAP == null || entry.tooShortToMap) {
            return entry.mapped;
        }
        if (entry.channel.size() < FIELDS_SIZE) {
            entry.tooShortToMap = true;
            return null;
        }
        entry.mapped = entry.channel.map(FileChannel.MapMode.READ_WRITE, 0, FIELDS_SIZE);
        return entry.mapped;
    }

    /**
     * Unmaps a mapped buffer at once ({@code sun.misc.Unsafe.invokeCleaner}, the one way on Java
     * 17; without it a closed lock file's mapping would stay until a collection found its
     * buffer unreachable, and a ring over many conversations would pile mappings up), or null
     * where the JDK does not offer it, and then nothing is mapped.
     */
    private static final java.util.function.Consumer<ByteBuffer> UNMAP = unmapper();

    private static java.util.function.Consumer<ByteBuffer> unmapper() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            java.lang.reflect.Field theUnsafe = unsafeClass.getDeclaredField("theUnsafe");
            theUnsafe.setAccessible(true);
            Object unsafe = theUnsafe.get(null);
            // A reflective Method, not a MethodHandle: binding a handle spins a LambdaForm class
            // at run time, which every cold launcher start paid (about 2 ms).
            java.lang.reflect.Method invokeCleaner = unsafeClass.getMethod("invokeCleaner",
                    ByteBuffer.class);
            return buffer -> {
                try {
                    invokeCleaner.invoke(unsafe, buffer);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    // Left to the collector: the buffer is dropped and never used again.
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** {@return whether this thread holds the lock of {@code lockFile}} */
    static boolean heldByCurrentThread(Path lockFile) {
        synchronized (REGISTRY) {
            Entry entry = REGISTRY.get(lockFile.toString());
            return entry != null && entry.lock.isHeldByCurrentThread() && entry.fileLock != null;
        }
    }

    /**
     * {@return the channel of a lock file that this thread holds}: for reading and writing what
     * the lock file holds beside the lock (the incarnation, the head), never for closing
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @throws IllegalStateException if this thread does not hold the lock
     */
    static FileChannel heldChannel(Path lockFile) {
        return held(lockFile).channel;
    }

    private static Entry held(Path lockFile) {
        synchronized (REGISTRY) {
            Entry entry = REGISTRY.get(lockFile.toString());
            if (entry == null || !entry.lock.isHeldByCurrentThread() || entry.fileLock == null) {
                throw new IllegalStateException("the lock of " + lockFile
                        + " is not held by this thread");
            }
            return entry;
        }
    }

    /** Counts one more lock file kept open, if the bound allows it. */
    private static boolean reserveKept() {
        synchronized (REGISTRY) {
            if (keptOpen < MAX_KEPT_OPEN) {
                keptOpen++;
                return true;
            }
            return false;
        }
    }

    /**
     * Closes the lock file kept open longest unused, if its in-process lock can be taken
     * without waiting (never waiting is what lets a holder of another lock call this).
     *
     * @return whether one was closed
     */
    private static boolean closeLongestUnused() {
        Entry victim;
        synchronized (REGISTRY) {
            java.util.Iterator<Entry> eldest = IDLE_KEPT.values().iterator();
            if (!eldest.hasNext()) {
                return false;
            }
            victim = eldest.next();
            eldest.remove();
            victim.users++;
        }
        try {
            if (!victim.lock.tryLock()) {
                return false;
            }
            try {
                if (victim.lock.getHoldCount() != 1 || victim.fileLock != null) {
                    return false;
                }
                victim.closeChannel();
                return true;
            } finally {
                victim.lock.unlock();
            }
        } finally {
            release(victim);
        }
    }

    /**
     * Runs {@code action} holding the in-process lock of {@code lockFile} (not its file lock),
     * if no thread of this JVM holds or takes it first; never waits.
     *
     * <p>Why: what a store keeps for a conversation between calls (an open log segment) is used
     * only under the conversation's lock, so another conversation's writer that wants to close it
     * to stay within the descriptor bound must hold that lock, and must not wait for it, since
     * it holds its own.
     *
     * @param lockFile the lock file, as given to {@link #lock(Path)}
     * @param action   what to run
     * @return whether it ran
     */
    static boolean runIfIdle(Path lockFile, Runnable action) {
        Entry entry = retain(lockFile.toString());
        try {
            if (!entry.lock.tryLock()) {
                return false;
            }
            try {
                action.run();
                return true;
            } finally {
                entry.lock.unlock();
            }
        } finally {
            release(entry);
        }
    }

    private static Entry retain(String key) {
        synchronized (REGISTRY) {
            Entry entry = REGISTRY.computeIfAbsent(key, Entry::new);
            if (entry.users++ == 0) {
                IDLE_KEPT.remove(key);
            }
            return entry;
        }
    }

    private static void release(Entry entry) {
        synchronized (REGISTRY) {
            entry.users--;
            if (entry.users == 0) {
                if (entry.channel == null) {
                    REGISTRY.remove(entry.key);
                } else if (entry.kept) {
                    IDLE_KEPT.put(entry.key, entry);
                }
            }
        }
    }
}
