package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The file-system steps of the write protocols, one method per step, so that tests can make any
 * single step fail and check what the store leaves behind. {@link NioFileOps} is the real one.
 */
interface FileOps {
    /**
     * Creates a new file for writing, failing if anything (a file, a symbolic link) exists at
     * {@code file}; the file gets mode 0600 where the file system is POSIX.
     *
     * @param file the file to create
     * @return a channel open for writing
     * @throws IOException if the file cannot be created
     */
    FileChannel createNew(Path file) throws IOException;

    /**
     * Writes every remaining byte of {@code bytes}.
     *
     * @param channel the channel
     * @param bytes   the bytes
     * @throws IOException if writing fails
     */
    void write(FileChannel channel, ByteBuffer bytes) throws IOException;

    /**
     * Forces a file's content and metadata to stable storage.
     *
     * @param channel the channel
     * @throws IOException if the flush fails
     */
    void force(FileChannel channel) throws IOException;

    /**
     * Forces a file's data, and the metadata needed to read it back (its size), to stable
     * storage: {@code fdatasync}. A log append that writes into zero-filled space changes no
     * size, so this skips the inode write-back (the modification time) that {@code fsync} adds.
     *
     * @param channel the file
     * @throws IOException if the device reported a failure
     */
    default void forceData(FileChannel channel) throws IOException {
        channel.force(false);
    }

    /**
     * Closes a channel.
     *
     * @param channel the channel
     * @throws IOException if closing fails
     */
    void close(FileChannel channel) throws IOException;

    /**
     * Renames {@code source} over {@code target} in one atomic step; never falls back to a copy.
     *
     * @param source the file to rename
     * @param target its new name, replaced if it exists
     * @throws IOException if the rename fails
     */
    void moveAtomically(Path source, Path target) throws IOException;

    /**
     * Forces a directory's entries to stable storage (a no-op where directories cannot be
     * opened).
     *
     * @param directory the directory
     * @throws IOException if the flush fails
     */
    void fsyncDirectory(Path directory) throws IOException;

    /**
     * Deletes a file (not following a symbolic link) if it exists.
     *
     * @param file the file
     * @return whether a file was deleted
     * @throws IOException if deleting fails
     */
    boolean deleteIfExists(Path file) throws IOException;
}
