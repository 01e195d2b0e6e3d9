package dev.palimpsest.cli;

import dev.palimpsest.testkit.ChildJvm;

/**
 * Child JVM of {@link SummarizerClassLoadingTest}: the launcher's own entry point, bounded by
 * the test's lifetime like every child.
 */
final class LauncherChildMain {
    private LauncherChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink.open();
        Main.main(args);
    }
}
