package dev.palimpsest.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The chunked surrogate scan against the plain one, on generated texts whose surrogates sit
 * where the chunks meet (the seed is printed, so a failing case can be replayed).
 */
class SurrogateScanTest {
    private static final char[] ALPHABET = {'a', 'é', '\u4E2D', '\uD83D', '\uDE00', '\uDBFF',
        '\uDC00', '\uD800', '\uDFFF', '\uFFFF'};

    /** What {@link Checks#firstUnpairedSurrogate} must answer, a char at a time. */
    private static int reference(String s) {
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

    @Test
    void findsWhatTheCharByCharScanFinds() {
        long seed = System.nanoTime();
        System.out.println("SurrogateScanTest seed " + seed);
        Random random = new Random(seed);
        int[] lengths = {0, 1, 2, 2047, 2048, 2049, 4095, 4096, 4097, 6000};
        for (int n = 0; n < 3000; n++) {
            int length = lengths[random.nextInt(lengths.length)];
            StringBuilder b = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                b.append(random.nextInt(8) == 0 ? ALPHABET[random.nextInt(ALPHABET.length)] : 'x');
            }
            // Pairs and lone halves planted at the chunk edges.
            for (int edge = 2046; edge < length; edge += 2048) {
                if (random.nextBoolean()) {
                    b.setCharAt(edge + random.nextInt(Math.min(3, length - edge)),
                            random.nextBoolean() ? '\uD83D' : '\uDE00');
                }
            }
            String s = b.toString();
            assertEquals(reference(s), Checks.firstUnpairedSurrogate(s),
                    "seed " + seed + ", case " + n + ", length " + length);
        }
    }

    @Test
    void aPairAcrossTheChunkEdgeIsAPair() {
        String pair = "x".repeat(2047) + "\uD83D\uDE00" + "y";
        assertEquals(-1, Checks.firstUnpairedSurrogate(pair));
        assertEquals(2049, Checks.firstUnpairedSurrogate(pair.substring(0, 2049) + "\uDE00"));
        assertEquals(2047, Checks.firstUnpairedSurrogate("x".repeat(2047) + "\uD83D"));
        assertEquals(2048, Checks.firstUnpairedSurrogate("x".repeat(2048) + "\uDE00\uD83D"));
    }
}
