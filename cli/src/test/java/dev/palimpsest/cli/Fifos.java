package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/** Named pipes for the tests: a file whose plain open blocks until someone opens the other end. */
final class Fifos {
    private Fifos() {
    }

    /** Makes a FIFO at {@code file} with {@code mkfifo}, bounded in time. */
    static Path make(Path file) {
        try {
            Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
            assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS), "mkfifo did not end");
            assertEquals(0, mkfifo.exitValue(), "mkfifo " + file);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted making " + file, e);
        }
    }

    /**
     * If {@code fifo} is (still) a FIFO, lets a thread still blocked opening it through: opening it for reading and writing
     * never blocks on Linux, and is what a blocked reader or writer waits for.
     */
    static void unblock(Path fifo) {
        try {
            if (Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) && Files.readAttributes(fifo,
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isOther()) {
                FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
