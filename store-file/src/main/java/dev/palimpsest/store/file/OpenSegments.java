package dev.palimpsest.store.file;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The log segments that the file stores of this JVM keep open for writing between appends, at
 * most {@link DescriptorBudget#PER_KIND} of them. Past the bound, a segment just opened is kept,
 * in place of the one written least recently, only as often as
 * {@link DescriptorBudget#admitsOverBound} says, and otherwise closed after its change.
 *
 * <p>Descriptors are a process's to run out of, so the bound is the JVM's, not a store's. A
 * daemon's busy conversations should keep their segment open whatever it did before (a
 * first-come bound let a bulk fill or a burst of idle conversations take every slot, and the busy
 * ones then opened and closed their segment on every append, about 10 µs of a 200 µs append
 * here), without a pass over more conversations than the bound replacing every one. A segment is
 * used only under its conversation's lock, so a writer closes another conversation's segment
 * only if it gets that lock at once (see {@link ConversationLocks#runIfIdle}); if it cannot, it
 * tries the next one, and past a few it closes its own after its change, as a store whose every
 * conversation is busy must.
 */
final class OpenSegments {
    /** The most segments kept open at once, over every store of the JVM. */
    static final int MAX = DescriptorBudget.PER_KIND;
    /** How many others a writer over the bound tries to close before it closes its own. */
    private static final int TRIES = 4;

    /** One open segment: the lock file of its conversation and how to close it. */
    private record Holder(Path lockFile, Runnable close) {
    }

    /** How many times a segment was opened for writing, for the tests of the bound. */
    static final java.util.concurrent.atomic.AtomicLong OPENS =
            new java.util.concurrent.atomic.AtomicLong();
    /** By owner (one store's cache entry), least recently written first; guarded by itself. */
    private static final Map<Object, Holder> OPEN = new LinkedHashMap<>(64, 0.75f, true);

    private OpenSegments() {
    }

    /**
     * Counts a segment opened by {@code owner}, which {@code close} closes (and then calls
     * {@link #closed}); called under the conversation's lock.
     */
    static void opened(Object owner, Path lockFile, Runnable close) {
        OPENS.incrementAndGet();
        synchronized (OPEN) {
            OPEN.put(owner, new Holder(lockFile, close));
        }
    }

    /** Marks {@code owner}'s segment as just written: the last to be closed for another. */
    static void written(Object owner) {
        synchronized (OPEN) {
            OPEN.get(owner);
        }
    }

    /** Forgets {@code owner}'s segment, which it closed. */
    static void closed(Object owner) {
        synchronized (OPEN) {
            OPEN.remove(owner);
        }
    }

    /** {@return how many segments are open} */
    static int open() {
        synchronized (OPEN) {
            return OPEN.size();
        }
    }

    /**
     * Brings the count back within the bound after {@code owner} wrote: by closing
     * {@code owner}'s own segment, or, when it is admitted, the least recently written segments
     * of idle conversations (its own if they are all busy).
     *
     * @param owner      the writer's cache entry, whose conversation's lock this thread holds
     * @param closeOwn   closes the writer's own segment
     */
    static void trim(Object owner, Runnable closeOwn) {
        synchronized (OPEN) {
            if (OPEN.size() <= MAX) {
                return;
            }
        }
        if (!DescriptorBudget.admitsOverBound()) {
            closeOwn.run();
            return;
        }
        for (int tries = 0; tries < TRIES; tries++) {
            Object victim;
            Holder holder;
            synchronized (OPEN) {
                if (OPEN.size() <= MAX) {
                    return;
                }
                Iterator<Map.Entry<Object, Holder>> eldest = OPEN.entrySet().iterator();
                Map.Entry<Object, Holder> e = eldest.next();
                if (e.getKey() == owner) {
                    break;
                }
                victim = e.getKey();
                holder = e.getValue();
                eldest.remove();
            }
            if (!ConversationLocks.runIfIdle(holder.lockFile(), holder.close())) {
                // Busy: its writer counts it again as the most recently written.
                synchronized (OPEN) {
                    OPEN.put(victim, holder);
                }
            }
        }
        synchronized (OPEN) {
            if (OPEN.size() <= MAX) {
                return;
            }
        }
        closeOwn.run();
    }
}
