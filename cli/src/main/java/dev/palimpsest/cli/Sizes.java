package dev.palimpsest.cli;

import java.util.Locale;

/** Byte counts for messages: {@code 64 MiB}, {@code 1.5 KiB}, {@code 512 bytes}. */
final class Sizes {
    private Sizes() {
    }

    static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return value == Math.rint(value) ? (long) value + " " + units[unit]
                : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
