package dev.palimpsest.cli;

import java.io.PrintStream;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * Where the engine's and the JDK's {@link System.Logger} records go in the launcher: nowhere,
 * unless {@code --debug} is given, and then one line each on standard error (with the stack
 * trace of a record that carries one).
 *
 * <p>Why not {@code java.util.logging}: its console format spends two lines (date, class,
 * {@code WARNING:}) on every record, before the launcher's own message about the same event;
 * every event the engine logs (a failed compaction, for one) is one the launcher reports itself
 * in one line. Providing the finder as a service also keeps {@code java.util.logging} from
 * initializing on every start.
 */
public final class LauncherLoggerFinder extends System.LoggerFinder {
    private static volatile boolean debug;

    /** Creates the finder; the JDK's service loader calls this. */
    public LauncherLoggerFinder() {
    }

    /**
     * Turns the one-line debug records on or off.
     *
     * @param enabled whether {@code --debug} was given
     */
    static void enableDebug(boolean enabled) {
        debug = enabled;
    }

    @Override
    public System.Logger getLogger(String name, Module module) {
        return new OneLineLogger(name);
    }

    /** A logger that prints a record on one line when debugging, and drops it otherwise. */
    private static final class OneLineLogger implements System.Logger {
        private final String name;
        private final boolean jdkInternal;

        OneLineLogger(String name) {
            this.name = name;
            this.jdkInternal = !name.startsWith("dev.palimpsest.");
        }

        @Override
        public String getName() {
            return name;
        }

        @Override
        public boolean isLoggable(Level level) {
            if (!debug || level == Level.OFF) {
                return false;
            }
            // The JDK's own debug records (every TLS certificate, every HTTP frame) would bury
            // the launcher's; its warnings still show.
            return level.getSeverity() >= (jdkInternal ? Level.WARNING : Level.DEBUG)
                    .getSeverity();
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (!isLoggable(level)) {
                return;
            }
            PrintStream err = System.err;
            err.println("palimpsest: " + level.getName().toLowerCase(java.util.Locale.ROOT)
                    + ": " + name + ": " + Text.oneLine(String.valueOf(msg)));
            if (thrown != null) {
                thrown.printStackTrace(err);
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) {
                return;
            }
            String msg = params == null || params.length == 0 ? format
                    : MessageFormat.format(format, params);
            log(level, bundle, msg, (Throwable) null);
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            if (isLoggable(level)) {
                log(level, null, msgSupplier.get(), (Throwable) null);
            }
        }
    }
}
