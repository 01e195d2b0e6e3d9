package dev.palimpsest.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What a launcher run talks to: its standard streams, its environment variables, and whether
 * standard output and standard error are terminals. Tests pass their own; {@link #system()}
 * wraps the process's.
 *
 * <p>Not a record: for the process's own streams, what kind of file each descriptor is gets
 * looked up only when a command asks (a long one, to show its progress), since the look-up
 * costs a cold start a few milliseconds that {@code show} should not pay.
 */
public final class Terminal {
    private final PrintStream out;
    private final PrintStream err;
    private final InputStream in;
    private final Map<String, String> env;
    private final BooleanSupplier errIsTerminal;
    private final BooleanSupplier outIsTerminal;

    /**
     * A terminal with known kinds of stream.
     *
     * @param out           standard output, UTF-8
     * @param err           standard error, UTF-8
     * @param in            standard input, read as bytes and decoded as UTF-8
     * @param env           the environment variables
     * @param errIsTerminal whether standard error is a terminal: then long work shows its
     *                      progress there
     * @param outIsTerminal whether standard output is a terminal: then output that is itself
     *                      the progress (a transcript scrolling by) needs no progress line
     */
    public Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                    boolean errIsTerminal, boolean outIsTerminal) {
        this(out, err, in, env, () -> errIsTerminal, () -> outIsTerminal);
    }

    /**
     * A terminal whose streams are not terminals (what tests and pipes see).
     *
     * @param out standard output
     * @param err standard error
     * @param in  standard input
     * @param env the environment variables
     */
    public Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
        this(out, err, in, env, false, false);
    }

    private Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                     BooleanSupplier errIsTerminal, BooleanSupplier outIsTerminal) {
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.in = Objects.requireNonNull(in, "in");
        this.env = Map.copyOf(env);
        this.errIsTerminal = errIsTerminal;
        this.outIsTerminal = outIsTerminal;
    }

    /**
     * Wraps the process's standard streams, encoding output as UTF-8 whatever the locale says:
     * JSON and texts must round-trip even under a POSIX locale. A reader of standard output that
     * goes away (the {@code head} of a pipe) ends the run through
     * {@link StandardOutputClosedException}, instead of a write error that would only be seen
     * at the end.
     *
     * @return the process's terminal
     */
    public static Terminal system() {
        return new Terminal(
                new PrintStream(new BufferedOutputStream(new ReaderAwareOutputStream(
                        new FileOutputStream(FileDescriptor.out),
                        () -> StandardDescriptor.OUT.isPipe())), false, StandardCharsets.UTF_8),
                new PrintStream(new FileOutputStream(FileDescriptor.err), true,
                        StandardCharsets.UTF_8),
                // Not a bare FileInputStream: on JDK 17 its readAllBytes() seeks, which fails on
                // a pipe ("Illegal seek"); System.in is buffered and reads sequentially.
                System.in,
                System.getenv(),
                StandardDescriptor.ERR::isTerminal,
                StandardDescriptor.OUT::isTerminal);
    }

    /**
     * Returns {@code terminal} with standard error not counted as a terminal: for work whose
     * output shows its own progress.
     *
     * @param terminal a terminal
     * @return the same streams, showing no progress line
     */
    static Terminal silent(Terminal terminal) {
        return new Terminal(terminal.out, terminal.err, terminal.in, terminal.env, () -> false,
                terminal.outIsTerminal);
    }

    /**
     * Returns standard output.
     *
     * @return standard output, UTF-8
     */
    public PrintStream out() {
        return out;
    }

    /**
     * Returns standard error.
     *
     * @return standard error, UTF-8
     */
    public PrintStream err() {
        return err;
    }

    /**
     * Returns standard input.
     *
     * @return standard input, as bytes
     */
    public InputStream in() {
        return in;
    }

    /**
     * Returns the environment variables.
     *
     * @return an unmodifiable copy
     */
    public Map<String, String> env() {
        return env;
    }

    /**
     * Tells whether standard error is a terminal.
     *
     * @return whether progress may be shown there
     */
    public boolean errIsTerminal() {
        return errIsTerminal.getAsBoolean();
    }

    /**
     * Tells whether standard output is a terminal.
     *
     * @return whether output there is seen as it is written
     */
    public boolean outIsTerminal() {
        return outIsTerminal.getAsBoolean();
    }
}
