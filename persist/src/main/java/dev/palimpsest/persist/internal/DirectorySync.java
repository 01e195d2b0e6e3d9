package dev.palimpsest.persist.internal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Group commit of directory fsyncs: one fsync of a directory makes durable every rename in it
 * that finished before that fsync started, so concurrent savers may share one.
 *
 * <p>A caller of {@link #sync()} has finished its rename. It joins the <em>pending</em> batch,
 * which has not started yet; the first of that batch to find no fsync in flight runs it for
 * everybody in the batch. Since a batch starts only after each of its members joined, every
 * caller returns only after an fsync that began after its rename: the guarantee of a private
 * fsync, at the price of one fsync per batch instead of one per caller. A failed fsync fails
 * every caller of its batch, and is never retried on their behalf.
 */
final class DirectorySync {
    private final Path directory;
    private final FileOps ops;
    private final Object monitor = new Object();
    /** The batch whose fsync runs now, or null. */
    private Batch inFlight;
    /** The batch that callers join; it starts when {@link #inFlight} is done. */
    private Batch pending;

    /** One directory fsync and its outcome. */
    private static final class Batch {
        boolean done;
        IOException failure;
    }

    DirectorySync(Path directory, FileOps ops) {
        this.directory = directory;
        this.ops = ops;
    }

    /**
     * Returns once an fsync of the directory that started after this call began has succeeded.
     *
     * @throws IOException the failure of that fsync
     */
    void sync() throws IOException {
        Batch mine;
        boolean leader = false;
        boolean interrupted = false;
        synchronized (monitor) {
            if (pending == null) {
                pending = new Batch();
            }
            mine = pending;
            while (!mine.done && !(inFlight == null && pending == mine)) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    // The caller's change is already renamed into place; it must not return before
                    // it is durable, so the wait continues and the interrupt is restored after.
                    interrupted = true;
                }
            }
            if (!mine.done) {
                inFlight = mine;
                pending = null;
                leader = true;
            }
        }
        try {
            if (leader) {
                lead(mine);
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        if (mine.failure != null) {
            throw mine.failure;
        }
    }

    private void lead(Batch batch) {
        IOException failure = null;
        try {
            ops.fsyncDirectory(directory);
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            failure = new IOException("directory fsync failed: " + e, e);
        }
        synchronized (monitor) {
            batch.failure = failure;
            batch.done = true;
            inFlight = null;
            monitor.notifyAll();
        }
    }
}
