package dev.palimpsest.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * What a launcher run talks to: its standard streams and environment variables. Tests pass
 * their own; {@link #system()} wraps the process's.
 *
 * @param out             standard output, UTF-8
 * @param err             standard error, UTF-8
 * @param in              standard input, read as bytes and decoded as UTF-8
 * @param env             the environment variables
 * @param errIsTerminal   whether standard error is a terminal: then long work shows its
 *                        progress there
 * @param outIsTerminal   whether standard output is a terminal: then output that is itself
 *                        the progress (a transcript scrolling by) needs no progress line
 */
public record Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env,
                       boolean errIsTerminal, boolean outIsTerminal) {
    /**
     * Rejects null parts and copies the environment.
     *
     * @param out           standard output, UTF-8
     * @param err           standard error, UTF-8
     * @param in            standard input, read as bytes and decoded as UTF-8
     * @param env           the environment variables
     * @param errIsTerminal whether standard error is a terminal
     * @param outIsTerminal whether standard output is a terminal
     */
    public Terminal {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        env = Map.copyOf(env);
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

    /**
     * Returns {@code terminal} with standard error not counted as a terminal: for work whose
     * output shows its own progress.
     *
     * @param terminal a terminal
     * @return the same streams, showing no progress line
     */
    static Terminal silent(Terminal terminal) {
        return new Terminal(terminal.out(), terminal.err(), terminal.in(), terminal.env(), false,
                terminal.outIsTerminal());
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
        String outTarget = descriptorTarget(1);
        String errTarget = descriptorTarget(2);
        boolean outIsPipe = outTarget.startsWith("pipe:") || outTarget.startsWith("socket:")
                || isFifo(outTarget);
        return new Terminal(
                new PrintStream(new BufferedOutputStream(new ReaderAwareOutputStream(
                        new FileOutputStream(FileDescriptor.out), outIsPipe)), false,
                        StandardCharsets.UTF_8),
                new PrintStream(new FileOutputStream(FileDescriptor.err), true,
                        StandardCharsets.UTF_8),
                // Not a bare FileInputStream: on JDK 17 its readAllBytes() seeks, which fails on
                // a pipe ("Illegal seek"); System.in is buffered and reads sequentially.
                System.in,
                System.getenv(),
                isTerminalDevice(errTarget),
                isTerminalDevice(outTarget));
    }

    /**
     * What file descriptor {@code fd} of this process refers to, as Linux names it
     * ({@code /dev/pts/3}, {@code pipe:[1234]}, a path); empty where that cannot be known.
     */
    private static String descriptorTarget(int fd) {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
        } catch (IOException | RuntimeException notLinux) {
            return "";
        }
    }

    private static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
                || target.equals("/dev/console");
    }

    /** S_IFMT and S_IFIFO of {@code st_mode}. */
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int FIFO_TYPE = 0010000;

    /** Tells whether a path is a named pipe (not a device such as /dev/full: both are "other"). */
    private static boolean isFifo(String target) {
        if (!target.startsWith("/")) {
            return false;
        }
        try {
            Object mode = Files.getAttribute(Path.of(target), "unix:mode");
            return mode instanceof Integer m && (m & FILE_TYPE_MASK) == FIFO_TYPE;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
