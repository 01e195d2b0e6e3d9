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
        if (debugRequested(args)) {
            LauncherLoggerFinder.enableDebug(true);
        }
        ResultDelivery.installSignalHook();
        Terminal terminal = Terminal.system();
        int exit;
        try {
            exit = Launcher.run(terminal, Utf8Arguments.recover(args));
        } catch (CliException rejected) {
            // An argument that is not UTF-8, refused before any command could misread it.
            terminal.err().println("palimpsest: " + rejected.getMessage());
            exit = rejected.exitCode();
        }
        ResultDelivery.exit(exit);
    }

    /** Tells whether {@code --debug} stands among the options (before a {@code --}). */
    private static boolean debugRequested(String[] args) {
        for (String arg : args) {
            if (arg.equals("--")) {
                return false;
            }
            if (arg.equals(Specs.DEBUG)) {
                return true;
            }
        }
        return false;
    }
}
