package dev.palimpsest.persist.internal;

import dev.palimpsest.persist.StoreIOException.Step;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The real file operations, except that one chosen step fails once, as a full disk, a failing
 * device or a lost mount would make it fail. A failing write writes half of its bytes first.
 */
class FailingFileOps implements FileOps {
    private final FileOps real = NioFileOps.INSTANCE;
    private final AtomicReference<Step> failing = new AtomicReference<>();

    /** Makes the next use of {@code step} fail. */
    void failOnce(Step step) {
        failing.set(step);
    }

    /** Tells whether the armed failure has happened. */
    boolean fired() {
        return failing.get() == null;
    }

    private void maybeFail(Step step) throws IOException {
        if (failing.compareAndSet(step, null)) {
            throw new IOException("injected failure of " + step);
        }
    }

    @Override
    public FileChannel createNew(Path file) throws IOException {
        maybeFail(Step.CREATE);
        return real.createNew(file);
    }

    @Override
    public void write(FileChannel channel, ByteBuffer bytes) throws IOException {
        if (failing.compareAndSet(Step.WRITE, null)) {
            ByteBuffer half = bytes.duplicate();
            half.limit(half.position() + half.remaining() / 2);
            real.write(channel, half);
            throw new IOException("injected failure of WRITE after " + half.position()
                    + " bytes");
        }
        real.write(channel, bytes);
    }

    @Override
    public void force(FileChannel channel) throws IOException {
        maybeFail(Step.FSYNC);
        real.force(channel);
    }

    @Override
    public void close(FileChannel channel) throws IOException {
        maybeFail(Step.CLOSE);
        real.close(channel);
    }

    @Override
    public void moveAtomically(Path source, Path target) throws IOException {
        maybeFail(Step.RENAME);
        real.moveAtomically(source, target);
    }

    @Override
    public void fsyncDirectory(Path directory) throws IOException {
        maybeFail(Step.DIRECTORY_FSYNC);
        real.fsyncDirectory(directory);
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        maybeFail(Step.DELETE);
        return real.deleteIfExists(file);
    }
}
