package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real file operations, recording each step the store takes, except that one chosen step
 * (the n-th call since {@link #arm}) fails once, as a full disk, a failing device or a lost
 * mount would make it fail. A failing write writes half of its bytes first.
 *
 * <p>Tests first run an operation with nothing armed to learn its steps ({@link #trace()}), then
 * run it again once per step with that step failing, so no step of a protocol is left out.
 */
class FailingFileOps implements FileOps {
    /** One step of the write protocols: one method of {@link FileOps}. */
    enum Step { CREATE, WRITE, FORCE, FORCE_DATA, CLOSE, RENAME, DIRECTORY_FSYNC, DELETE }

    private final FileOps real = NioFileOps.INSTANCE;
    private final List<Step> trace = new ArrayList<>();
    private int failAt = -1;
    private boolean fired;

    /** Starts a new trace, and makes its {@code n}-th step (from 0) fail; -1 fails none. */
    synchronized void arm(int n) {
        trace.clear();
        failAt = n;
        fired = false;
    }

    /** {@return the steps taken since the last {@link #arm}} */
    synchronized List<Step> trace() {
        return List.copyOf(trace);
    }

    /** {@return whether the armed failure has happened} */
    synchronized boolean fired() {
        return fired;
    }

    private synchronized boolean failsNow(Step step) {
        trace.add(step);
        if (trace.size() - 1 == failAt) {
            failAt = -1;
            fired = true;
            return true;
        }
        return false;
    }

    private void maybeFail(Step step) throws IOException {
        if (failsNow(step)) {
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
        if (failsNow(Step.WRITE)) {
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
        maybeFail(Step.FORCE);
        real.force(channel);
    }

    @Override
    public void forceData(FileChannel channel) throws IOException {
        maybeFail(Step.FORCE_DATA);
        real.forceData(channel);
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
