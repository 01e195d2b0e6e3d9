package dev.palimpsest.persist.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closes the channels that writers held on the files they replaced, on a daemon thread of its own.
 *
 * <p>Why: a rename over a state file drops the old file's last link, and the thread that drops
 * the last reference to it frees its blocks; on a file system mounted with online discard that
 * waits for the device to trim them. A writer that holds the old file open across its rename
 * leaves that work to whoever closes the channel, here a background thread, so saves return
 * sooner and concurrent saves overlap it. The old file's data is never read through the channel,
 * and nothing about the new file depends on it: a crash before the close only leaves the old
 * inode for the file system to reclaim, as for any file deleted while open.
 *
 * <p>What waits is bounded twice, in descriptors and in the bytes of the files they keep from
 * being freed; beyond either bound, and if the thread cannot be started, the caller closes its
 * own channel at once, as it would have without the closer.
 */
final class DeferredCloser {
    /** The JVM-wide closer: one thread for every store; at most 256 files and 64 MiB wait. */
    static final DeferredCloser SHARED = new DeferredCloser(256, 64L << 20,
            body -> daemon(body, "palimpsest-closer"));

    private final BlockingQueue<Waiting> waiting;
    private final long maxBytes;
    private final AtomicLong bytes = new AtomicLong();
    private final ThreadFactory threads;
    private final Object startLock = new Object();
    private volatile boolean started;

    /** A channel waiting to be closed, with the size of its file. */
    private record Waiting(FileChannel channel, long size) {
    }

    /**
     * Creates a closer; its thread starts with the first channel.
     *
     * @param capacity how many channels may wait
     * @param maxBytes how many bytes of files their channels may keep from being freed
     * @param threads  makes the closing thread (a daemon)
     */
    DeferredCloser(int capacity, long maxBytes, ThreadFactory threads) {
        this.waiting = new ArrayBlockingQueue<>(capacity);
        this.maxBytes = maxBytes;
        this.threads = threads;
    }

    /**
     * A daemon thread that inherits no inheritable thread-local of whichever caller happened to
     * make it, and whose context class loader is the library's.
     *
     * @param body what it runs
     * @param name its name
     * @return the thread, not started
     */
    static Thread daemon(Runnable body, String name) {
        Thread thread = new Thread(null, body, name, 0, false);
        thread.setDaemon(true);
        thread.setContextClassLoader(DeferredCloser.class.getClassLoader());
        return thread;
    }

    /**
     * Closes {@code channel} soon, on the closer's thread, or now if too much already waits.
     *
     * @param channel the channel, or null for nothing
     */
    void closeLater(FileChannel channel) {
        if (channel == null) {
            return;
        }
        long size;
        try {
            size = channel.size();
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            return;
        }
        if (!start()) {
            closeQuietly(channel);
            return;
        }
        if (bytes.addAndGet(size) > maxBytes) {
            bytes.addAndGet(-size);
            closeQuietly(channel);
            return;
        }
        if (!waiting.offer(new Waiting(channel, size))) {
            bytes.addAndGet(-size);
            closeQuietly(channel);
        }
    }

    /** Returns how many channels wait to be closed, for tests. */
    int waiting() {
        return waiting.size();
    }

    /** Starts the thread if it has not been; false if it cannot be started. */
    private boolean start() {
        if (started) {
            return true;
        }
        synchronized (startLock) {
            if (!started) {
                try {
                    threads.newThread(this::run).start();
                } catch (RuntimeException | Error e) {
                    // No thread (none left to the process, say): callers close their own.
                    return false;
                }
                started = true;
            }
            return true;
        }
    }

    private void run() {
        while (true) {
            Waiting next;
            try {
                next = waiting.take();
            } catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose; it keeps closing.
                continue;
            }
            closeQuietly(next.channel());
            bytes.addAndGet(-next.size());
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            // A read-only descriptor of a file already replaced: there is nothing to lose, and
            // the closer must outlive any one failure.
        }
    }
}
