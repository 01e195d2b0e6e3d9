package dev.palimpsest.persist.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Optional;

/**
 * Parses instants in exactly the shape {@link Instant#toString()} writes them: an ISO-8601 date
 * and time in UTC ending in {@code Z}, with seconds and an optional fraction of 1 to 9 digits.
 *
 * <p>Why not {@link java.time.format.DateTimeFormatter#ISO_INSTANT}: it also accepts offsets
 * ({@code +01:00}), a lower-case {@code t} and {@code z}, and the leap second {@code 23:59:60},
 * none of which the format allows, so two spellings of one instant could be read.
 */
final class IsoInstants {
    private static final long SECONDS_PER_DAY = 86_400;

    private IsoInstants() {
    }

    /**
     * Parses an instant.
     *
     * @param text the text
     * @return the instant, or empty if the text is not an instant of that shape
     */
    static Optional<Instant> parse(String text) {
        int length = text.length();
        int i = 0;
        boolean negative = false;
        boolean signed = false;
        if (length > 0 && (text.charAt(0) == '+' || text.charAt(0) == '-')) {
            negative = text.charAt(0) == '-';
            signed = true;
            i = 1;
        }
        int yearStart = i;
        while (i < length && isDigit(text.charAt(i))) {
            i++;
        }
        int yearDigits = i - yearStart;
        // Four digits unsigned; a year beyond 9999 carries a '+', one before 0 a '-'.
        boolean yearShape = signed
                ? (negative ? yearDigits >= 4 : yearDigits > 4) && yearDigits <= 10
                : yearDigits == 4;
        // The rest: -MM-DDTHH:MM:SS, then an optional .fraction, then Z.
        if (!yearShape || length - i < 16 || text.charAt(i) != '-'
                || text.charAt(i + 3) != '-' || text.charAt(i + 6) != 'T'
                || text.charAt(i + 9) != ':' || text.charAt(i + 12) != ':'
                || text.charAt(length - 1) != 'Z') {
            return Optional.empty();
        }
        long year = Long.parseLong(text, yearStart, yearStart + yearDigits, 10);
        if (negative) {
            year = -year;
        }
        int month = twoDigits(text, i + 1);
        int day = twoDigits(text, i + 4);
        int hour = twoDigits(text, i + 7);
        int minute = twoDigits(text, i + 10);
        int second = twoDigits(text, i + 13);
        int end = i + 15;
        int nanos = 0;
        if (end < length - 1) {
            int digits = length - 1 - end - 1;
            if (text.charAt(end) != '.' || digits < 1 || digits > 9) {
                return Optional.empty();
            }
            for (int k = end + 1; k < length - 1; k++) {
                char c = text.charAt(k);
                if (!isDigit(c)) {
                    return Optional.empty();
                }
                nanos = nanos * 10 + (c - '0');
            }
            for (int k = digits; k < 9; k++) {
                nanos *= 10;
            }
        } else if (end != length - 1) {
            return Optional.empty();
        }
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59
                || second < 0 || second > 59) {
            return Optional.empty();
        }
        long seconds = epochDay(year, month, day) * SECONDS_PER_DAY
                + hour * 3600L + minute * 60L + second;
        try {
            return Optional.of(Instant.ofEpochSecond(seconds, nanos));
        } catch (DateTimeException e) {
            // Beyond Instant.MIN or Instant.MAX.
            return Optional.empty();
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** Returns the two-digit number at {@code at}, or -1 if those are not two digits. */
    private static int twoDigits(String text, int at) {
        char a = text.charAt(at);
        char b = text.charAt(at + 1);
        return isDigit(a) && isDigit(b) ? (a - '0') * 10 + (b - '0') : -1;
    }

    private static int daysInMonth(long year, int month) {
        return switch (month) {
            case 2 -> isLeap(year) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    private static boolean isLeap(long year) {
        return (year % 4 == 0) && (year % 100 != 0 || year % 400 == 0);
    }

    /** Days since 1970-01-01 of a date in the proleptic Gregorian calendar. */
    private static long epochDay(long year, int month, int day) {
        long y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }
}
