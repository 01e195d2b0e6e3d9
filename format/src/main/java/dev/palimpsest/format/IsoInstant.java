package dev.palimpsest.format;

import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;

/**
 * Parses the instants the format writes, as {@link Instant#parse} does, without its formatter.
 *
 * <p>Every stored message carries one, and a cold {@code palimpsest show} parses them all before
 * the JIT has compiled anything: {@code Instant.parse} runs a general formatter through a dozen
 * interpreted calls per field (4 to 8 ms for the 40 messages of a typical state). The format
 * writes {@link Instant#toString}: {@code yyyy-MM-ddTHH:mm:ss}, then 3, 6 or 9 digits of fraction
 * or none, then {@code Z}. Exactly that shape (with 1 to 9 digits) is read here; anything else
 * (another shape, a leap second, a year past 9999, a date that does not exist) goes to
 * {@code Instant.parse}, which accepts or rejects it as before.
 */
final class IsoInstant {
    private static final int[] SCALE = {0, 100_000_000, 10_000_000, 1_000_000, 100_000, 10_000,
        1_000, 100, 10, 1};

    private IsoInstant() {
    }

    /**
     * Parses an ISO-8601 instant.
     *
     * @param s the text
     * @return the instant
     * @throws DateTimeParseException if it is not one
     */
    static Instant parse(String s) {
        Instant fast = simple(s);
        return fast != null ? fast : Instant.parse(s);
    }

    /** The instant in {@code s} if it has the simple shape and a valid date and time, else null. */
    private static Instant simple(String s) {
        int n = s.length();
        if (n < 20 || n == 21 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-'
                || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
                || s.charAt(n - 1) != 'Z' || n > 20 && s.charAt(19) != '.') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        int nanos = n > 20 ? digits(s, 20, n - 21) : 0;
        if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59 || nanos < 0
                || day > lengthOfMonth(year, month)) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86_400L + hour * 3_600L + minute * 60L + second,
                n > 20 ? (long) nanos * SCALE[n - 21] : 0);
    }

    private static int lengthOfMonth(int year, int month) {
        if (month == 2) {
            boolean leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            return leap ? 29 : 28;
        }
        return month == 4 || month == 6 || month == 9 || month == 11 ? 30 : 31;
    }

    /** The decimal number in {@code count} chars from {@code from}, or -1 if one is no digit. */
    private static int digits(String s, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
