package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.palimpsest.core.Conversation;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;

class StateCacheTest {
    private final StateFileCodec codec = new StateFileCodec(1 << 20);

    private StateCache.Entry entry(String id) {
        EncodedState encoded = codec.encode(Conversation.empty(id).withRevision(1), null);
        return new StateCache.Entry(encoded, new FileIdentity(true, false, false, id,
                encoded.length(), FileTime.fromMillis(0), null, -1));
    }

    @Test
    void theLeastRecentlyUsedGoFirstOnceTheBudgetIsExceeded() {
        StateCache.Entry a = entry("a");
        int size = a.length();
        StateCache cache = new StateCache(3L * size);
        cache.put("a", a);
        cache.put("b", entry("b"));
        cache.put("c", entry("c"));
        assertNotNull(cache.get("a"), "a is now the most recently used");
        cache.put("d", entry("d"));
        assertNull(cache.get("b"));
        assertNotNull(cache.get("a"));
        assertNotNull(cache.get("c"));
        assertNotNull(cache.get("d"));
        assertEquals(3, cache.size());
        assertEquals(3L * size, cache.heldBytes());
    }

    @Test
    void replacingAndRemovingKeepTheAccountRight() {
        StateCache cache = new StateCache(1 << 20);
        cache.put("a", entry("a"));
        cache.put("a", entry("a"));
        assertEquals(1, cache.size());
        assertEquals(entry("a").length(), cache.heldBytes());
        cache.remove("a");
        cache.remove("never");
        assertEquals(0, cache.size());
        assertEquals(0, cache.heldBytes());
    }

    @Test
    void aZeroBudgetOrAnEntryOverTheBudgetHoldsNothing() {
        StateCache none = new StateCache(0);
        none.put("a", entry("a"));
        assertNull(none.get("a"));
        StateCache small = new StateCache(entry("a").length() - 1);
        small.put("a", entry("a"));
        assertEquals(0, small.size());
        assertEquals(0, small.heldBytes());
    }
}
