package dev.palimpsest.store.file;

import java.io.IOException;
import java.io.Serial;
import java.nio.file.Path;

/**
 * Something other than a regular file (a symbolic link, a directory, a FIFO, a device) is where
 * the store keeps one of its files. The store never opens such a thing: a link could lead
 * anywhere, and opening a FIFO waits for a writer that may never come. Thrown inside the
 * package and mapped to a {@code CORRUPT} failure that names the file.
 */
final class NotRegularFileException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Path file;

    private NotRegularFileException(Path file, String kind) {
        super(detail(kind));
        this.file = file;
    }

    /**
     * Returns the detail of the refusal of a file of the given kind.
     *
     * @param kind what is at the name, as {@link FileIdentity#kind()} says
     * @return the one-line detail
     */
    static String detail(String kind) {
        return "not a regular file but " + kind + (kind.equals("a symbolic link")
                ? ", which the store never follows" : ", which the store never opens")
                + "; move it away";
    }

    /**
     * Refuses anything but a regular file.
     *
     * @param file     the path, for the message
     * @param identity what a stat (links not followed) said is there, or null if nothing is
     * @throws NotRegularFileException if something other than a regular file is there
     */
    static void requireRegular(Path file, FileIdentity identity) throws NotRegularFileException {
        if (identity != null && !identity.regularFile()) {
            throw new NotRegularFileException(file, identity.kind());
        }
    }

    /**
     * Returns the refused file.
     *
     * @return its path
     */
    Path file() {
        return file;
    }
}
