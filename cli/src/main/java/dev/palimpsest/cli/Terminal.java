package dev.palimpsest.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * What a launcher run talks to: its standard streams and environment variables. Tests pass
 * their own; {@link #system()} wraps the process's.
 *
 * @param out standard output, UTF-8
 * @param err standard error, UTF-8
 * @param in  standard input, read as bytes and decoded as UTF-8
 * @param env the environment variables
 */
public record Terminal(PrintStream out, PrintStream err, InputStream in, Map<String, String> env) {
    /**
     * Rejects null parts and copies the environment.
     *
     * @param out standard output, UTF-8
     * @param err standard error, UTF-8
     * @param in  standard input, read as bytes and decoded as UTF-8
     * @param env the environment variables
     */
    public Terminal {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(in, "in");
        env = Map.copyOf(env);
    }

    /**
     * Wraps the process's standard streams, encoding output as UTF-8 whatever the locale says:
     * JSON and texts must round-trip even under a POSIX locale.
     *
     * @return the process's terminal
     */
    public static Terminal system() {
        return new Terminal(
                new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)),
                        false, StandardCharsets.UTF_8),
                new PrintStream(new FileOutputStream(FileDescriptor.err), true,
                        StandardCharsets.UTF_8),
                // Not a bare FileInputStream: on JDK 17 its readAllBytes() seeks, which fails on
                // a pipe ("Illegal seek"); System.in is buffered and reads sequentially.
                System.in,
                System.getenv());
    }
}
