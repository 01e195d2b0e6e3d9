package dev.palimpsest.persist.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;

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
 * <p>At most {@code capacity} channels wait; beyond that the caller closes its own, so the
 * number of descriptors held stays bounded however far the closer falls behind.
 */
final class DeferredCloser {
    /** The JVM-wide closer: one thread for every store. */
    static final DeferredCloser SHARED = new DeferredCloser(256, body -> {
        Thread thread = new Thread(body, "palimpsest-closer");
        thread.setDaemon(true);
        return thread;
    });

    private final BlockingQueue<FileChannel> waiting;
    private final ThreadFactory threads;
    private final Object startLock = new Object();
    private boolean started;

    /**
     * Creates a closer; its thread starts with the first channel.
     *
     * @param capacity how many channels may wait
     * @param threads  makes the closing thread (a daemon)
     */
    DeferredCloser(int capacity, ThreadFactory threads) {
        this.waiting = new ArrayBlockingQueue<>(capacity);
        this.threads = threads;
    }

    /**
     * Closes {@code channel} soon, on the closer's thread, or now if too many already wait.
     *
     * @param channel the channel, or null for nothing
     */
    void closeLater(FileChannel channel) {
        if (channel == null) {
            return;
        }
        start();
        if (!waiting.offer(channel)) {
            closeQuietly(channel);
        }
    }

    /** Returns how many channels wait to be closed, for tests. */
    int waiting() {
        return waiting.size();
    }

    private void start() {
        synchronized (startLock) {
            if (started) {
                return;
            }
            threads.newThread(this::run).start();
            started = true;
        }
    }

    private void run() {
        while (true) {
            try {
                closeQuietly(waiting.take());
            } catch (InterruptedException e) {
                // Nobody interrupts this thread on purpose; it keeps closing.
                Thread.interrupted();
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // A read-only descriptor of a file already replaced: there is nothing to lose.
        }
    }
}
