package dev.palimpsest.persist.internal;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state files this store wrote last, one per conversation, the least recently used dropped
 * first once their bytes exceed a budget.
 *
 * <p>An entry is only ever a hint, never trusted on its own: the store uses it as the stored
 * state only after finding the same file unchanged (see {@link FileIdentity}) and starting with
 * the entry's header bytes, so a file replaced by another process,
 * written in place, or deleted is read as if there were no entry. What an entry saves is reading
 * the whole file back and parsing it, and escaping again the texts that the next state shares
 * with it (see {@link EncodedState}). Only writes fill it: reading many conversations, as a
 * listing or a cold daemon does, pins no memory.
 */
final class StateCache {
    private final long budgetBytes;
    /** Guarded by itself; iteration order is least recently used first. */
    private final LinkedHashMap<String, Entry> entries =
            new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    /**
     * What a write left: the encoded state and the identity of the file it went to.
     *
     * @param encoded  the state and its bytes
     * @param identity the file right after the rename
     */
    record Entry(EncodedState encoded, FileIdentity identity) {
        int length() {
            return encoded.length();
        }
    }

    /**
     * Creates a cache.
     *
     * @param budgetBytes the most state-file bytes held; 0 holds nothing
     */
    StateCache(long budgetBytes) {
        this.budgetBytes = budgetBytes;
    }

    /**
     * Returns the last state file written for a conversation, if it is still held.
     *
     * @param stem the conversation's file stem
     * @return the entry, or null
     */
    Entry get(String stem) {
        synchronized (entries) {
            return entries.get(stem);
        }
    }

    /**
     * Records the state file just written for a conversation, replacing its previous one.
     * A file larger than the whole budget is not held (and its predecessor is dropped).
     *
     * @param stem    the conversation's file stem
     * @param written what was written, and where
     */
    void put(String stem, Entry written) {
        synchronized (entries) {
            Entry old = entries.remove(stem);
            if (old != null) {
                bytes -= old.length();
            }
            if (written.length() > budgetBytes) {
                return;
            }
            entries.put(stem, written);
            bytes += written.length();
            Iterator<Map.Entry<String, Entry>> eldest = entries.entrySet().iterator();
            while (bytes > budgetBytes) {
                bytes -= eldest.next().getValue().length();
                eldest.remove();
            }
        }
    }

    /**
     * Forgets a conversation's entry (its file was deleted or moved aside).
     *
     * @param stem the conversation's file stem
     */
    void remove(String stem) {
        synchronized (entries) {
            Entry old = entries.remove(stem);
            if (old != null) {
                bytes -= old.length();
            }
        }
    }

    /** Returns how many state-file bytes are held, for tests. */
    long heldBytes() {
        synchronized (entries) {
            return bytes;
        }
    }

    /** Returns how many conversations are held, for tests. */
    int size() {
        synchronized (entries) {
            return entries.size();
        }
    }
}
