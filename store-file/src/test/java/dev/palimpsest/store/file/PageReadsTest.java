package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A page read on several threads: every id once, outcomes in order, failures in place. */
class PageReadsTest {
    private static List<String> ids(int n) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add("id-" + i);
        }
        return ids;
    }

    @Test
    void outcomesComeInTheOrderOfTheIdsWithEachFailureInItsPlace() {
        List<String> ids = ids(1000);
        IllegalStateException boom = new IllegalStateException("boom");
        Set<String> seen = ConcurrentHashMap.newKeySet();
        List<PageReads.Outcome<String>> out = PageReads.read(ids, id -> {
            assertTrue(seen.add(id), "read twice: " + id);
            if (id.endsWith("7")) {
                throw boom;
            }
            return id.toUpperCase(java.util.Locale.ROOT);
        });
        assertEquals(1000, out.size());
        assertEquals(1000, seen.size());
        for (int i = 0; i < ids.size(); i++) {
            PageReads.Outcome<String> o = out.get(i);
            if (ids.get(i).endsWith("7")) {
                assertSame(boom, o.failure());
                assertSame(boom, assertThrows(IllegalStateException.class, o::get));
            } else {
                assertNull(o.failure());
                assertEquals("ID-" + i, o.get());
            }
        }
    }

    @Test
    void aLargePageIsReadByTheCallerAndItsHelpersTogether() {
        assumeTrue(PageReads.THREADS > 1, "one core: the caller reads alone");
        // Every read waits until two threads have read (bounded), so a caller fast enough to
        // read the whole page before a helper starts cannot pass this alone.
        Set<String> readBy = ConcurrentHashMap.newKeySet();
        CountDownLatch two = new CountDownLatch(2);
        PageReads.read(ids(PageReads.PARALLEL_FROM), id -> {
            if (readBy.add(Thread.currentThread().getName())) {
                two.countDown();
            }
            try {
                return two.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertTrue(readBy.size() > 1, "read by " + readBy);
        assertTrue(readBy.contains(Thread.currentThread().getName()), "the caller reads too");
    }

    @Test
    void aSmallPageIsReadByTheCallerAlone() {
        Set<String> readBy = ConcurrentHashMap.newKeySet();
        PageReads.read(ids(PageReads.PARALLEL_FROM - 1), id -> readBy.add(
                Thread.currentThread().getName()));
        assertEquals(Set.of(Thread.currentThread().getName()), readBy);
    }

    @Test
    void anInterruptWhileWaitingIsKeptAndEveryReadStillEnds() {
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Thread.currentThread().interrupt();
        try {
            List<PageReads.Outcome<Boolean>> out = PageReads.read(ids(500), seen::add);
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept");
            assertEquals(500, out.size());
            assertEquals(500, seen.size());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void anErrorIsRethrownAsItself() {
        AssertionError error = new AssertionError("error");
        List<PageReads.Outcome<String>> out = PageReads.read(ids(300), id -> {
            throw error;
        });
        assertSame(error, assertThrows(AssertionError.class, () -> out.get(299).get()));
    }
}
