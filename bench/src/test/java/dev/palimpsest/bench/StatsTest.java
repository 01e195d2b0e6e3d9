package dev.palimpsest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void medianOfAnOddCountIsTheMiddleSampleWhateverTheOrder() {
        assertEquals(5.0, new Stats(new long[] {9, 1, 5}).median());
    }

    @Test
    void medianOfAnEvenCountIsTheMeanOfTheTwoMiddleSamples() {
        assertEquals(2.5, new Stats(new long[] {4, 1, 3, 2}).median());
    }

    @Test
    void quantilesUseTheNearestRank() {
        Stats s = new Stats(new long[] {10, 20, 30, 40, 50, 60, 70, 80, 90, 100});
        assertEquals(10, s.quantile(0.1));
        assertEquals(90, s.quantile(0.9));
        assertEquals(100, s.quantile(1.0));
        assertEquals(10, s.quantile(0.0));
    }

    @Test
    void emptySamplesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new Stats(new long[0]));
    }
}
