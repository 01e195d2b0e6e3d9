package dev.palimpsest.bench;

import java.nio.file.Path;
import java.util.Locale;

/**
 * How big a run is and where it writes: {@code quick} for a look in a minute or two, {@code full}
 * for the published figures (a few minutes). The work directory should sit on the file system
 * being measured; it defaults to {@code bench/target/bench-work}.
 *
 * @param full    whether this is the full run
 * @param workDir the scratch directory (wiped per figure)
 * @param results the Markdown results file
 */
record Settings(boolean full, Path workDir, Path results) {

    /**
     * Parses {@code quick} or {@code full}.
     *
     * @param mode    the mode's name
     * @param workDir the scratch directory
     * @param results the results file
     * @return the settings
     */
    static Settings of(String mode, Path workDir, Path results) {
        return switch (mode.toLowerCase(Locale.ROOT)) {
            case "quick" -> new Settings(false, workDir, results);
            case "full" -> new Settings(true, workDir, results);
            default -> throw new BenchException("mode must be quick or full, was '" + mode + "'");
        };
    }

    /**
     * Picks a size by mode.
     *
     * @param quick the quick run's value
     * @param full  the full run's value
     * @return the value for this run
     */
    int pick(int quick, int full) {
        return this.full ? full : quick;
    }
}
