package dev.palimpsest.persist.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
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
 * locks and closed when it unlocks, so idle conversations hold no file descriptor. Lock files are
 * never deleted: a process waiting on a deleted file would lock a file nobody else sees.
 */
final class ConversationLocks {
    private static final Map<String, Entry> REGISTRY = new HashMap<>();

    private ConversationLocks() {
    }

    /** One lock file's in-process state. */
    private static final class Entry {
        final String key;
        final ReentrantLock lock = new ReentrantLock();
        /** Threads holding or waiting for {@link #lock}; the entry leaves the map at zero. */
        int users;
        /** The channel holding the file lock, while the outermost holder holds it. */
        FileChannel channel;

        Entry(String key) {
            this.key = key;
        }
    }

    /** A held lock; closing it unlocks. Not to be shared between threads. */
    static final class Held implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Held(Entry entry) {
            this.entry = entry;
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (entry.lock.getHoldCount() == 1 && entry.channel != null) {
                    FileChannel channel = entry.channel;
                    entry.channel = null;
                    try {
                        // Closing the channel releases the file lock.
                        channel.close();
                    } catch (IOException e) {
                        // The kernel drops the lock when the descriptor goes, even if close
                        // reports an error; nothing was written through this channel.
                    }
                }
            } finally {
                entry.lock.unlock();
                release(entry);
            }
        }
    }

    /**
     * Locks the conversation whose lock file is {@code lockFile}, waiting as long as it takes.
     * Reentrant: a thread that holds the lock gets it again at once.
     *
     * @param lockFile the lock file, inside a directory given by its real path
     * @return the held lock
     * @throws IOException if the lock file cannot be opened or locked; the lock is then not held
     */
    static Held lock(Path lockFile) throws IOException {
        Entry entry = retain(lockFile.toString());
        entry.lock.lock();
        if (entry.lock.getHoldCount() > 1) {
            return new Held(entry);
        }
        try {
            entry.channel = lockFileChannel(lockFile);
            return new Held(entry);
        } catch (IOException | RuntimeException | Error e) {
            entry.lock.unlock();
            release(entry);
            throw e;
        }
    }

    /**
     * Opens the lock file and takes its file lock, or fails.
     *
     * <p>Blocking in {@link FileChannel#lock()} is interruptible: an interrupt closes the channel
     * (and with it any lock it held), and {@code lock()} throws
     * {@link FileLockInterruptionException}; a thread whose interrupt status is already set gets
     * it at once, even if nobody holds the lock. The locker then fails with that exception, its
     * interrupt status still set, holding nothing: it does not retry, since an interrupt asks the
     * thread to stop. Other threads are not affected: the channel belongs to this locker alone
     * until {@code lock()} has returned (only then is it stored in the entry), so a channel
     * closed by an interrupt never stays in the registry, and the next outermost locker opens
     * its own.
     */
    private static FileChannel lockFileChannel(Path lockFile) throws IOException {
        FileChannel channel = openLockFile(lockFile);
        try {
            channel.lock();
            return channel;
        } catch (IOException | RuntimeException | Error e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Opens the lock file, creating it (mode 0600, set explicitly because the umask reduces the
     * mode given at creation) if it does not exist. Symbolic links are never followed. Opening a
     * file is not interruptible, so an interrupt cannot fail this step.
     */
    private static FileChannel openLockFile(Path lockFile) throws IOException {
        while (true) {
            try {
                return FileChannel.open(lockFile, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException missing) {
                try {
                    return NioFileOps.INSTANCE.createNew(lockFile);
                } catch (FileAlreadyExistsException raced) {
                    // Another thread or process created it first: open theirs.
                }
            }
        }
    }

    private static Entry retain(String key) {
        synchronized (REGISTRY) {
            Entry entry = REGISTRY.computeIfAbsent(key, Entry::new);
            entry.users++;
            return entry;
        }
    }

    private static void release(Entry entry) {
        synchronized (REGISTRY) {
            entry.users--;
            if (entry.users == 0) {
                REGISTRY.remove(entry.key);
            }
        }
    }
}
