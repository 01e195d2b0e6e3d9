package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.Objects;

/**
 * What one {@code stat} of a file tells about it, links not followed: its kind, and an identity
 * that changes whenever anybody replaces the file or writes to it.
 *
 * <p>The identity is the device and inode ({@link BasicFileAttributes#fileKey()}), the size, the
 * modification time and, where the file system reports it ({@code unix:ctime}), the change time:
 * a rename over the file gives another inode, a write in place a new modification and change
 * time. The change time cannot be set by any program, so even a writer that puts the
 * modification time back is seen. What the identity cannot see is a change within the same tick
 * of the file system's clock by a program that keeps the size; the store therefore never relies
 * on it alone (see {@link FileConversationStore}).
 *
 * @param regularFile whether it is a regular file
 * @param symbolicLink whether it is a symbolic link
 * @param directory   whether it is a directory
 * @param fileKey     the device and inode, or null where the file system has none
 * @param size        the size in bytes
 * @param modified    the modification time
 * @param changed     the change time, or null where it is not reported
 * @param mode        the file's type and permission bits ({@code st_mode}), or -1 where they
 *                    are not reported
 */
record FileIdentity(boolean regularFile, boolean symbolicLink, boolean directory, Object fileKey,
                    long size, FileTime modified, FileTime changed, int mode) {
    private static final String UNIX_ATTRIBUTES = "unix:isRegularFile,isSymbolicLink,isDirectory,"
            + "fileKey,size,lastModifiedTime,ctime,mode";
    private static final int TYPE_MASK = 0170000;

    /**
     * Reads a file's kind and identity with one {@code stat}.
     *
     * @param file the file
     * @return what it is, or null if there is no file
     * @throws IOException if it cannot be read
     */
    static FileIdentity of(Path file) throws IOException {
        try {
            if (NioFileOps.isUnix(file)) {
                Map<String, Object> a = java.nio.file.Files.readAttributes(file, UNIX_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return new FileIdentity((Boolean) a.get("isRegularFile"),
                        (Boolean) a.get("isSymbolicLink"), (Boolean) a.get("isDirectory"),
                        a.get("fileKey"), (Long) a.get("size"),
                        (FileTime) a.get("lastModifiedTime"), (FileTime) a.get("ctime"),
                        (Integer) a.get("mode"));
            }
            BasicFileAttributes a = java.nio.file.Files.readAttributes(file,
                    BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return new FileIdentity(a.isRegularFile(), a.isSymbolicLink(), a.isDirectory(),
                    a.fileKey(), a.size(), a.lastModifiedTime(), null, -1);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Says what kind of file this is, in a user's words.
     *
     * @return for example "a regular file", "a symbolic link", "a FIFO (named pipe)"
     */
    String kind() {
        if (regularFile) {
            return "a regular file";
        }
        if (symbolicLink) {
            return "a symbolic link";
        }
        if (directory) {
            return "a directory";
        }
        return switch (mode < 0 ? -1 : mode & TYPE_MASK) {
            case 0010000 -> "a FIFO (named pipe)";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "a special file";
        };
    }

    /**
     * Tells whether this is the same file, unchanged, as {@code other}: only when both have an
     * inode to compare.
     *
     * @param other what a stat said before
     * @return true if nothing tells them apart
     */
    boolean sameFileUnchanged(FileIdentity other) {
        return fileKey != null && regularFile && other.regularFile
                && fileKey.equals(other.fileKey) && size == other.size
                && modified.equals(other.modified) && Objects.equals(changed, other.changed);
    }
}
