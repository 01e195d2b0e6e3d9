package dev.palimpsest.persist.internal;

import dev.palimpsest.persist.DurabilityUnknownException;
import dev.palimpsest.persist.StoreIOException;
import dev.palimpsest.persist.StoreIOException.Step;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Replaces a file atomically and durably: a new, uniquely named temp file in the same directory
 * (created with CREATE_NEW, so nothing planted at its name is followed), every byte written
 * through one channel, {@code force(true)}, close, one atomic rename over the target (never a
 * copy), and a directory fsync (shared with concurrent writers, see {@link DirectorySync}).
 *
 * <p>If any step up to the rename fails, the temp file is removed and a {@link StoreIOException}
 * naming the step is thrown: the target is untouched. A failed fsync is never retried and then
 * trusted. If the directory fsync after the rename fails, the new content is in place but its
 * durability is unknown: {@link DurabilityUnknownException}. Callers hold the conversation's lock.
 */
final class AtomicFileWriter {
    private final FileOps ops;
    private final DirectorySync directorySync;

    AtomicFileWriter(FileOps ops, DirectorySync directorySync) {
        this.ops = ops;
        this.directorySync = directorySync;
    }

    /**
     * Replaces {@code directory/stateName(stem)} with {@code bytes}.
     *
     * @param convId    the conversation, for errors
     * @param directory the directory, {@code sm/}
     * @param stem      the conversation's stem
     * @param bytes     the new content
     */
    void replace(String convId, Path directory, String stem, byte[] bytes) {
        Path target = directory.resolve(ConversationIdCodec.stateName(stem));
        Path temp = directory.resolve(ConversationIdCodec.tempName(stem,
                ThreadLocalRandom.current().nextLong()));
        FileChannel channel;
        try {
            channel = ops.createNew(temp);
        } catch (IOException e) {
            // Nothing of ours exists at the temp name (it may be something planted): leave it.
            throw new StoreIOException(convId, Step.CREATE, temp, e);
        }
        Step step = Step.WRITE;
        try {
            ops.write(channel, ByteBuffer.wrap(bytes));
            step = Step.FSYNC;
            ops.force(channel);
            step = Step.CLOSE;
            ops.close(channel);
            step = Step.RENAME;
            ops.moveAtomically(temp, target);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            removeTemp(temp, e);
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new StoreIOException(convId, step, step == Step.RENAME ? target : temp, e);
        }
        syncDirectory(convId, directory, target);
    }

    /**
     * Makes the directory entries of {@code directory} durable after a change in it.
     *
     * @param convId    the conversation, for errors
     * @param directory the directory
     * @param changed   the file whose entry changed, for errors
     * @throws DurabilityUnknownException if the fsync failed
     */
    void syncDirectory(String convId, Path directory, Path changed) {
        try {
            directorySync.sync();
        } catch (IOException e) {
            throw new DurabilityUnknownException(convId, Step.DIRECTORY_FSYNC, changed, e);
        }
    }

    private void closeQuietly(FileChannel channel) {
        if (channel.isOpen()) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // The write already failed; that failure is the one reported.
            }
        }
    }

    private void removeTemp(Path temp, Exception failure) {
        try {
            ops.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
