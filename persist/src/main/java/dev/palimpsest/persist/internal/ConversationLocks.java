package dev.palimpsest.persist.internal;

import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
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
     * Opens the lock file and takes its file lock. Blocking in {@link FileChannel#lock()} is
     * interruptible, and an interrupt closes the channel; the lock must still be taken (the caller
     * is about to write), so the interrupt is remembered, the channel reopened, and the interrupt
     * restored once the lock is held.
     */
    private static FileChannel lockFileChannel(Path lockFile) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                FileChannel channel = openLockFile(lockFile);
                try {
                    FileLock fileLock = channel.lock();
                    if (fileLock.isValid()) {
                        return channel;
                    }
                    channel.close();
                } catch (ClosedByInterruptException e) {
                    interrupted = true;
                    Thread.interrupted();
                } catch (IOException | RuntimeException | Error e) {
                    channel.close();
                    throw e;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opens the lock file, creating it (mode 0600, set explicitly because the umask reduces the
     * mode given at creation) if it does not exist. Symbolic links are never followed.
     */
    private static FileChannel openLockFile(Path lockFile) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return FileChannel.open(lockFile, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException missing) {
                    try {
                        FileChannel created = NioFileOps.INSTANCE.createNew(lockFile);
                        return created;
                    } catch (FileAlreadyExistsException raced) {
                        // Another thread or process created it first: open theirs.
                        continue;
                    }
                } catch (ClosedByInterruptException e) {
                    interrupted = true;
                    Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
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
