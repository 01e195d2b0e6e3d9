package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The group commit of directory fsyncs never returns before an fsync that began after the call. */
class DirectorySyncTest {
    private static final Path DIR = Path.of("unused");

    /** Only {@link #fsyncDirectory} is used by {@link DirectorySync}. */
    private abstract static class DirectoryOnlyOps implements FileOps {
        @Override
        public FileChannel createNew(Path file) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void write(FileChannel channel, ByteBuffer bytes) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void force(FileChannel channel) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close(FileChannel channel) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void moveAtomically(Path source, Path target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean deleteIfExists(Path file) {
            throw new UnsupportedOperationException();
        }
    }

    /** The first fsync blocks until released; a chosen one fails. */
    private static final class GatedOps extends DirectoryOnlyOps {
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch releaseFirst = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();
        volatile int failingCall = -1;

        @Override
        public void fsyncDirectory(Path directory) throws IOException {
            int call = calls.incrementAndGet();
            if (call == 1) {
                firstStarted.countDown();
                try {
                    releaseFirst.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
            if (call == failingCall) {
                throw new IOException("injected failure of directory fsync " + call);
            }
        }
    }

    private static Thread syncInThread(DirectorySync sync, AtomicReference<IOException> outcome) {
        Thread t = new Thread(() -> {
            try {
                sync.sync();
            } catch (IOException e) {
                outcome.set(e);
            }
        });
        t.start();
        return t;
    }

    private static void awaitWaiting(List<Thread> threads) {
        // No timing threshold: wait until each thread is parked in the monitor wait.
        for (Thread t : threads) {
            while (t.getState() != Thread.State.WAITING) {
                Thread.onSpinWait();
            }
        }
    }

    @Test
    void callersArrivingDuringAnFsyncShareTheNextOne() throws Exception {
        GatedOps ops = new GatedOps();
        DirectorySync sync = new DirectorySync(DIR, ops);
        AtomicReference<IOException> first = new AtomicReference<>();
        Thread leader = syncInThread(sync, first);
        ops.firstStarted.await();
        List<AtomicReference<IOException>> outcomes = new ArrayList<>();
        List<Thread> joiners = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            AtomicReference<IOException> outcome = new AtomicReference<>();
            outcomes.add(outcome);
            joiners.add(syncInThread(sync, outcome));
        }
        awaitWaiting(joiners);
        // The first fsync began before the joiners called: it must not cover them.
        assertEquals(1, ops.calls.get());
        ops.releaseFirst.countDown();
        leader.join();
        for (Thread t : joiners) {
            t.join();
        }
        assertEquals(2, ops.calls.get(), "five callers shared one fsync");
        assertNull(first.get());
        outcomes.forEach(o -> assertNull(o.get()));
    }

    @Test
    void aFailedFsyncFailsEveryCallerItCoveredAndNoOther() throws Exception {
        GatedOps ops = new GatedOps();
        ops.failingCall = 2;
        DirectorySync sync = new DirectorySync(DIR, ops);
        AtomicReference<IOException> first = new AtomicReference<>();
        Thread leader = syncInThread(sync, first);
        ops.firstStarted.await();
        List<AtomicReference<IOException>> outcomes = new ArrayList<>();
        List<Thread> joiners = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            AtomicReference<IOException> outcome = new AtomicReference<>();
            outcomes.add(outcome);
            joiners.add(syncInThread(sync, outcome));
        }
        awaitWaiting(joiners);
        ops.releaseFirst.countDown();
        leader.join();
        for (Thread t : joiners) {
            t.join();
        }
        assertNull(first.get(), "the first batch succeeded");
        IOException shared = outcomes.get(0).get();
        assertTrue(shared != null && shared.getMessage().contains("fsync 2"));
        outcomes.forEach(o -> assertSame(shared, o.get()));
        // The failure is not retried on anyone's behalf; the next caller gets a new fsync.
        sync.sync();
        assertEquals(3, ops.calls.get());
    }

    @Test
    void everyCallerReturnsOnlyAfterAnFsyncThatBeganAfterItsCall() throws Exception {
        AtomicLong clock = new AtomicLong();
        ConcurrentLinkedQueue<long[]> fsyncs = new ConcurrentLinkedQueue<>();
        DirectoryOnlyOps ops = new DirectoryOnlyOps() {
            @Override
            public void fsyncDirectory(Path directory) {
                long start = clock.incrementAndGet();
                Thread.yield();
                fsyncs.add(new long[] {start, clock.incrementAndGet()});
            }
        };
        DirectorySync sync = new DirectorySync(DIR, ops);
        int threads = 8;
        int each = 300;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread w = new Thread(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        long renamedAt = clock.incrementAndGet();
                        sync.sync();
                        long returnedAt = clock.incrementAndGet();
                        boolean covered = fsyncs.stream()
                                .anyMatch(f -> f[0] > renamedAt && f[1] < returnedAt);
                        if (!covered) {
                            throw new AssertionError("a sync called at " + renamedAt
                                    + " returned at " + returnedAt + " without an fsync between");
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            });
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) {
            w.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertTrue(fsyncs.size() <= threads * each);
    }
}
