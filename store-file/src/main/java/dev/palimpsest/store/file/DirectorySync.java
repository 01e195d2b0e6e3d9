package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Group commit of directory fsyncs: one fsync of a directory makes durable every rename in it
 * that finished before that fsync started, so concurrent savers may share one.
 *
 * <p>A caller of {@link #sync()} has finished its rename. If no fsync is in flight, it runs one
 * at once; otherwise it joins the <em>pending</em> batch, which has not started yet, and when the
 * fsync in flight ends, one member of that batch runs the next fsync for everybody in it. Since
 * a batch starts only after each of its members joined, every
 * caller returns only after an fsync that began after its rename: the guarantee of a private
 * fsync, at the price of one fsync per batch instead of one per caller. A failed fsync fails
 * every caller of its batch, and is never retried on their behalf.
 */
final class DirectorySync {
    private final Path directory;
    private final FileOps ops;
    private final Object monitor = new Object();
    /** The batch whose fsync runs now, or null; guarded by {@link #monitor}. */
    private Batch inFlight;
    /** The batch that callers join; it starts when {@link #inFlight} is done. Guarded likewise. */
    private Batch pending;

    /**
     * One directory fsync and its outcome. Its members wait on the batch itself, not on a
     * shared monitor, so that the end of one fsync wakes only those it covered, and the start of
     * the next wakes only its leader.
     */
    private static final class Batch {
        /** Guarded by the batch: set once its fsync has run. */
        boolean done;
        /** Guarded by the batch: the fsync's failure, if any. */
        IOException failure;
        /** Guarded by the batch: the batch may start, and one member is to lead it. */
        boolean leaderWanted;
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
        boolean leader;
        synchronized (monitor) {
            if (inFlight == null) {
                // Nothing runs: start at once, alone.
                mine = new Batch();
                inFlight = mine;
                leader = true;
            } else {
                if (pending == null) {
                    pending = new Batch();
                }
                mine = pending;
                leader = false;
            }
        }
        boolean interrupted = false;
        if (!leader) {
            synchronized (mine) {
                while (!mine.done && !mine.leaderWanted) {
                    try {
                        mine.wait();
                    } catch (InterruptedException e) {
                        // The caller's change is already renamed into place; it must not return
                        // before it is durable, so the wait goes on; the interrupt is restored.
                        interrupted = true;
                    }
                }
                if (!mine.done) {
                    mine.leaderWanted = false;
                    leader = true;
                }
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
        synchronized (mine) {
            if (mine.failure != null) {
                throw mine.failure;
            }
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
        Batch next;
        synchronized (monitor) {
            // Every member of the pending batch joined during this fsync: the next one covers
            // them, and nobody joins it any more.
            next = pending;
            pending = null;
            inFlight = next;
        }
        synchronized (batch) {
            batch.failure = failure;
            batch.done = true;
            batch.notifyAll();
        }
        if (next != null) {
            synchronized (next) {
                next.leaderWanted = true;
                // One member is enough to lead; the others wait for the batch to be done.
                next.notify();
            }
        }
    }
}
