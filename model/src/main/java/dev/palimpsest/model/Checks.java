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
