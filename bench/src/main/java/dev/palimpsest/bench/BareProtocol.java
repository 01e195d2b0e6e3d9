package dev.palimpsest.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write protocol of the store, in plain Java and nothing else: a new temp file
 * (CREATE_NEW), every byte through one channel, {@code force(true)}, close, an atomic rename over
 * the target, and an fsync of the directory. It is the floor that the store's save is compared
 * with (figure 1a), and, with fsyncs switched off, the deliberately broken writer that the
 * power-loss harness must catch.
 */
final class BareProtocol {
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private BareProtocol() {
    }

    /**
     * Replaces {@code dir/name} with {@code bytes}.
     *
     * @param dir       the directory
     * @param name      the target's file name
     * @param bytes     the new contents
     * @param fsyncFile whether to force the temp file before the rename
     * @param fsyncDir  whether to fsync the directory after the rename
     * @throws IOException if a step failed
     */
    static void replace(Path dir, String name, byte[] bytes, boolean fsyncFile, boolean fsyncDir)
            throws IOException {
        Path temp = dir.resolve(name + "." + ProcessHandle.current().pid() + "-"
                + TEMP_COUNTER.incrementAndGet() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            if (fsyncFile) {
                ch.force(true);
            }
        }
        Files.move(temp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        if (fsyncDir) {
            fsyncDirectory(dir);
        }
    }

    /**
     * Forces a directory's entries to stable storage (Linux opens directories read-only for it).
     *
     * @param dir the directory
     * @throws IOException if the fsync failed
     */
    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
