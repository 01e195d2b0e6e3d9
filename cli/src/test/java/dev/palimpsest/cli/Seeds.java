package dev.palimpsest.cli;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs generated-case tests from a seed that is printed on failure and can be passed back with
 * {@code -Dpalimpsest.seed=N}, so that every failure can be replayed.
 */
final class Seeds {
    static final String PROPERTY = "palimpsest.seed";

    private Seeds() {
    }

    static void run(String what, Consumer<Random> body) {
        long seed = Long.getLong(PROPERTY, System.nanoTime());
        try {
            body.accept(new Random(seed));
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what + " failed; replay with -D" + PROPERTY + "=" + seed, e);
        }
    }
}
