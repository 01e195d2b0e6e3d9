package dev.palimpsest.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the process's standard output or standard error is (a terminal, a pipe, a file), as
 * Linux names it in {@code /proc/self/fd}; looked up once, when first asked. Off Linux nothing
 * is known: no descriptor counts as a terminal or a pipe.
 */
enum StandardDescriptor {
    /** Standard output, descriptor 1. */
    OUT(1),
    /** Standard error, descriptor 2. */
    ERR(2);

    /** S_IFMT and S_IFIFO of {@code st_mode}. */
    private static final int FILE_TYPE_MASK = 0170000;
    private static final int FIFO_TYPE = 0010000;

    private final int fd;
    private volatile String target;

    StandardDescriptor(int fd) {
        this.fd = fd;
    }

    /** Tells whether the descriptor is a terminal device. */
    boolean isTerminal() {
        String t = target();
        return t.startsWith("/dev/pts/") || t.startsWith("/dev/tty") || t.equals("/dev/console");
    }

    /**
     * Tells whether the descriptor is a pipe, a socket or a named pipe: then a failed write
     * means that the reader went away.
     */
    boolean isPipe() {
        String t = target();
        return t.startsWith("pipe:") || t.startsWith("socket:") || isFifo(t);
    }

    private String target() {
        String known = target;
        if (known == null) {
            try {
                known = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            } catch (IOException | RuntimeException notLinux) {
                known = "";
            }
            target = known;
        }
        return known;
    }

    /** Tells whether a path is a named pipe (not a device such as /dev/full: both are "other"). */
    private static boolean isFifo(String path) {
        if (!path.startsWith("/")) {
            return false;
        }
        try {
            Object mode = Files.getAttribute(Path.of(path), "unix:mode");
            return mode instanceof Integer m && (m & FILE_TYPE_MASK) == FIFO_TYPE;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
