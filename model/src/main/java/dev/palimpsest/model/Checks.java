package dev.palimpsest.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The model's preconditions in one place, so every record reports violations the same way. */
final class Checks {
    private Checks() {
    }

    static <T> T notNull(T value, String name) {
        if (value == null) {
            throw PalimpsestException.invalid(name + " must not be null");
        }
        return value;
    }

    static long atLeast(long value, long min, String name) {
        if (value < min) {
            throw PalimpsestException.invalid(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /**
     * Rejects text that holds an unpaired surrogate: such a string is not Unicode text, cannot be
     * encoded as UTF-8, and so could never be stored and read back unchanged.
     */
    static String text(String value, String name) {
        notNull(value, name);
        int index = firstUnpairedSurrogate(value);
        if (index >= 0) {
            throw PalimpsestException.invalid(String.format(
                    "%s holds an unpaired surrogate U+%04X at index %d",
                    name, (int) value.charAt(index), index));
        }
        return value;
    }

    static String nonEmptyText(String value, String name) {
        text(value, name);
        if (value.isEmpty()) {
            throw PalimpsestException.invalid(name + " must not be empty");
        }
        return value;
    }

    static Optional<String> optionalNonEmptyText(Optional<String> value, String name) {
        notNull(value, name);
        value.ifPresent(v -> nonEmptyText(v, name));
        return value;
    }

    /** How many chars {@link #firstUnpairedSurrogate} copies at a time. */
    private static final int SCAN_CHUNK = 2048;

    /**
     * Returns the index of the first unpaired surrogate in {@code s}, or -1 if there is none.
     *
     * <p>Every message a load decodes passes through here, mostly before the JIT has compiled
     * anything: so the chars are copied a chunk at a time and scanned in a loop that calls
     * nothing, and only a char in the surrogate range gets a closer look. (A {@code charAt} per
     * char costs four interpreted calls: 3.5 ms of a cold {@code palimpsest show}.)
     */
    static int firstUnpairedSurrogate(String s) {
        int n = s.length();
        char[] chunk = new char[Math.min(n, SCAN_CHUNK)];
        int pos = 0;
        while (pos < n) {
            int len = Math.min(n - pos, SCAN_CHUNK);
            s.getChars(pos, pos + len, chunk, 0);
            int i = 0;
            for (; i < len; i++) {
                char c = chunk[i];
                if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
                    continue;
                }
                if (c > Character.MAX_HIGH_SURROGATE) {
                    return pos + i;
                }
                // A high half needs a low half next, which may be the first char past the chunk.
                int at = pos + i + 1;
                char next = i + 1 < len ? chunk[i + 1] : at < n ? s.charAt(at) : 0;
                if (!Character.isLowSurrogate(next)) {
                    return pos + i;
                }
                i++;
            }
            // i is len + 1 when a pair straddled the chunk's end: its low half is done.
            pos += i;
        }
        return -1;
    }

    /** Copies a list, refusing nulls with the index that held one. */
    static <T> List<T> listCopy(List<T> list, String name) {
        notNull(list, name);
        List<T> copy = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            T item = list.get(i);
            if (item == null) {
                throw PalimpsestException.invalid(name + " holds null at index " + i);
            }
            copy.add(item);
        }
        return Collections.unmodifiableList(copy);
    }

    /**
     * Copies a string map into an unmodifiable map sorted by key, so that equal maps always
     * iterate (and serialize) in the same order.
     */
    static Map<String, String> sortedCopy(Map<String, String> map, String name) {
        notNull(map, name);
        if (map.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String key = e.getKey();
            if (key == null) {
                throw PalimpsestException.invalid(name + " holds a null key");
            }
            nonEmptyText(key, name + " key");
            if (e.getValue() == null) {
                throw PalimpsestException.invalid(name + " key '" + key + "' has a null value");
            }
            text(e.getValue(), name + " value of key '" + key + "'");
            copy.put(key, e.getValue());
        }
        return Collections.unmodifiableMap(copy);
    }
}
