package dev.palimpsest.bench;

import java.util.Arrays;
import java.util.Objects;

/**
 * Order statistics of one contender's samples (nanoseconds per operation). Medians, not means:
 * fsync latencies on a shared machine have long tails that would swamp a mean.
 *
 * @param samples the samples, sorted ascending; never empty
 */
record Stats(long[] samples) {

    /** Copies and sorts the samples, and rejects an empty set. */
    Stats {
        Objects.requireNonNull(samples, "samples");
        if (samples.length == 0) {
            throw new IllegalArgumentException("samples must not be empty");
        }
        samples = samples.clone();
        Arrays.sort(samples);
    }

    /**
     * Returns the value below which the fraction {@code q} of the samples lie (nearest rank).
     *
     * @param q the quantile, within [0, 1]
     * @return the sample at that rank
     */
    long quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("quantile must be within [0, 1], was " + q);
        }
        int rank = (int) Math.ceil(q * samples.length) - 1;
        return samples[Math.max(0, Math.min(samples.length - 1, rank))];
    }

    /**
     * Returns the median; for an even count, the mean of the two middle samples.
     *
     * @return the median in nanoseconds
     */
    double median() {
        int n = samples.length;
        return n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2.0;
    }

    /**
     * Returns the arithmetic mean, which (unlike the median) carries the rare slow operations:
     * a checkpoint every few hundred appends shows here and in {@link #quantile}(0.99).
     *
     * @return the mean in nanoseconds
     */
    double mean() {
        double sum = 0;
        for (long v : samples) {
            sum += v;
        }
        return sum / samples.length;
    }

    /**
     * Returns how many samples there are.
     *
     * @return the sample count
     */
    int count() {
        return samples.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Stats s && Arrays.equals(samples, s.samples);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(samples);
    }

    @Override
    public String toString() {
        return String.format("Stats[n=%d, median=%.0f ns]", samples.length, median());
    }
}
