package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palimpsest.testkit.Seeds;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {

    @Test
    void everyInstantReadsBackFromItsToString() {
        Seeds.run("instants through toString", random -> {
            long min = Instant.MIN.getEpochSecond();
            long max = Instant.MAX.getEpochSecond();
            for (int i = 0; i < 100_000; i++) {
                long seconds = switch (random.nextInt(4)) {
                    case 0 -> min + (long) (random.nextDouble() * ((double) max - min));
                    case 1 -> random.nextInt(2_000_000_000) * (random.nextBoolean() ? 1L : -1L);
                    case 2 -> 253_402_300_799L + random.nextInt(1000) - 500;
                    default -> -62_167_219_200L + random.nextInt(100_000) - 50_000;
                };
                int nanos = switch (random.nextInt(4)) {
                    case 0 -> 0;
                    case 1 -> random.nextInt(1000) * 1_000_000;
                    case 2 -> random.nextInt(1_000_000) * 1000;
                    default -> random.nextInt(1_000_000_000);
                };
                Instant t = Instant.ofEpochSecond(seconds, nanos);
                assertEquals(Optional.of(t), IsoInstants.parse(t.toString()), t.toString());
            }
        });
        for (Instant t : List.of(Instant.MIN, Instant.MAX, Instant.EPOCH,
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.parse("2000-02-29T12:00:00Z"), Instant.parse("+10000-01-01T00:00:00Z"))) {
            assertEquals(Optional.of(t), IsoInstants.parse(t.toString()), t.toString());
        }
    }

    @Test
    void fractionsOfAnyLengthUpToNineDigitsAreRead() {
        assertEquals(Optional.of(Instant.parse("2026-11-25T10:15:30.500Z")),
                IsoInstants.parse("2026-11-25T10:15:30.5Z"));
        assertEquals(Optional.of(Instant.ofEpochSecond(1_764_065_730L, 1)),
                IsoInstants.parse("2025-11-25T10:15:30.000000001Z"));
    }

    @Test
    void otherSpellingsAreRejected() {
        for (String text : List.of("", "Z", "2026-11-25T10:15:30+01:00", "2026-11-25t10:15:30z",
                "2026-11-25T10:15:30z", "2026-11-25T23:59:60Z", "2026-11-25T10:15Z",
                "2026-11-25T10:15:30", "2026-11-25 10:15:30Z", "2026-11-25T10:15:30.Z",
                "2026-11-25T10:15:30.1234567891Z", "+2026-11-25T10:15:30Z",
                "02026-11-25T10:15:30Z", "026-11-25T10:15:30Z", "2026-13-01T00:00:00Z",
                "2026-00-01T00:00:00Z", "2026-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
                "2026-04-31T00:00:00Z", "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z",
                "2026-11-25T1a:15:30Z", "2026-11-25T10:15:30.12a4Z", "+1000000001-01-01T00:00:00Z",
                "-1000000001-12-31T23:59:59Z", "+99999999999-01-01T00:00:00Z", "1764065730",
                "2026-11-25T10:15:30ZZ", " 2026-11-25T10:15:30Z", "2026-11-25T10:15:30.000Z ")) {
            assertEquals(Optional.empty(), IsoInstants.parse(text), text);
        }
    }
}
