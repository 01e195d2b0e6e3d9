package dev.palimpsest.testkit;

import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs generated-case tests from a seed that is printed and can be passed back with
 * {@code -Dpalimpsest.seed=N}, so that every failure can be replayed.
 */
public final class Seeds {
    public static final String PROPERTY = "palimpsest.seed";

    private Seeds() {
    }

    public static void run(String what, Consumer<Random> body) {
        long seed = Long.getLong(PROPERTY, System.nanoTime());
        // Printed up front too: a run killed by a timeout never reaches the catch below.
        System.out.println(what + ": seed " + seed + " (replay with -D" + PROPERTY + "=" + seed
                + ")");
        try {
            body.accept(new Random(seed));
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(what + " failed; replay with -D" + PROPERTY + "=" + seed, e);
        }
    }
}
