package dev.palimpsest.cli;

/** The {@code palimpsest} launcher's entry point. */
public final class Main {
    private Main() {
    }

    /**
     * Runs the launcher with the process's streams and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(Launcher.run(Terminal.system(), Utf8Arguments.recover(args)));
    }
}
