package dev.palimpsest.core;

import java.util.Map;
import java.util.TreeMap;

/** The model's preconditions in one place, so every record reports violations the same way. */
final class Checks {
    private Checks() {
    }

    static <T> T notNull(T value, String name) {
        if (value == null) {
            throw new InvalidModelException(name + " must not be null");
        }
        return value;
    }

    static long atLeast(long value, long min, String name) {
        if (value < min) {
            throw new InvalidModelException(name + " must be >= " + min + ", was " + value);
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
            throw new InvalidModelException(String.format(
                    "%s holds an unpaired surrogate U+%04X at index %d",
                    name, (int) value.charAt(index), index));
        }
        return value;
    }

    /** Returns the index of the first unpaired surrogate in {@code s}, or -1 if there is none. */
    static int firstUnpairedSurrogate(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            } else if (Character.isLowSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Copies a string map into an unmodifiable map sorted by key, so that equal maps always
     * iterate (and serialize) in the same order.
     */
    static Map<String, String> sortedCopy(Map<String, String> map, String name) {
        notNull(map, name);
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : map.entrySet()) {
            String key = e.getKey();
            if (key == null) {
                throw new InvalidModelException(name + " holds a null key");
            }
            text(key, name + " key '" + key + "'");
            if (key.isEmpty()) {
                throw new InvalidModelException(name + " holds an empty key");
            }
            if (e.getValue() == null) {
                throw new InvalidModelException(name + " key '" + key + "' has a null value");
            }
            text(e.getValue(), name + " value of key '" + key + "'");
            copy.put(key, e.getValue());
        }
        return java.util.Collections.unmodifiableMap(copy);
    }
}
