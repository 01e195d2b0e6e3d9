package dev.palimpsest.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The format's instant parser against {@link Instant#parse} on generated texts: what one
 * accepts the other accepts as the same instant, what one rejects the other rejects (the seed is
 * printed, so a failing case can be replayed).
 */
class IsoInstantTest {
    private static final String MUTATIONS = "0123456789-:.TZtz+ ";

    /** Both parsers' answer: the instant, or null for a rejection. */
    private static void agree(String s, String why) {
        Instant expected;
        try {
            expected = Instant.parse(s);
        } catch (DateTimeParseException rejected) {
            assertThrows(DateTimeParseException.class, () -> IsoInstant.parse(s), why + ": " + s);
            return;
        }
        assertEquals(expected, IsoInstant.parse(s), why + ": " + s);
    }

    @Test
    void agreesWithInstantParseOnGeneratedTexts() {
        long seed = System.nanoTime();
        System.out.println("IsoInstantTest seed " + seed);
        Random random = new Random(seed);
        for (int n = 0; n < 20_000; n++) {
            long second = random.nextInt(4) == 0
                    ? random.nextLong() % 400_000_000_000L
                    : random.nextLong() % 8_000_000_000L;
            int nanos = switch (random.nextInt(4)) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            String written = Instant.ofEpochSecond(second, nanos).toString();
            String why = "seed " + seed + ", case " + n;
            agree(written, why);
            StringBuilder b = new StringBuilder(written);
            for (int k = random.nextInt(3); k >= 0 && b.length() > 0; k--) {
                int at = random.nextInt(b.length());
                char c = MUTATIONS.charAt(random.nextInt(MUTATIONS.length()));
                switch (random.nextInt(3)) {
                    case 0 -> b.setCharAt(at, c);
                    case 1 -> b.deleteCharAt(at);
                    default -> b.insert(at, c);
                }
            }
            agree(b.toString(), why + " (mutated)");
        }
    }

    @Test
    void edgesOfTheCalendarAndTheClock() {
        for (String s : new String[] {"2026-12-07T10:04:20Z", "2026-12-07T10:04:20.056872033Z",
            "2026-12-07T10:04:20.1Z", "2024-02-29T00:00:00Z", "2023-02-29T00:00:00Z",
            "2100-02-29T00:00:00Z", "2000-02-29T23:59:59.999Z", "2026-04-31T00:00:00Z",
            "2026-12-31T23:59:60Z", "2026-12-07T24:00:00Z", "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z", "+10000-01-01T00:00:00Z", "2026-12-07T10:04:20.Z",
            "2026-12-07t10:04:20z", "2026-12-07T10:04:20+01:00", "2026-12-07T10:04Z",
            "2026-12-07T10:04:20.0123456789Z", "2026-13-07T10:04:20Z", "2026-00-07T10:04:20Z",
            "2026-12-00T10:04:20Z", "-2026-12-07T10:04:20Z", ""}) {
            agree(s, "edge");
        }
    }
}
