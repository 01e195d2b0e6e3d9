package dev.palimpsest.store.file;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The real {@link FileOps}, on java.nio. */
final class NioFileOps implements FileOps {
    /** The one instance. */
    public static final NioFileOps INSTANCE = new NioFileOps();

    /** Mode 0600: every file the store creates. */
    static final Set<PosixFilePermission> FILE_MODE =
            EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    /** Mode 0700: the {@code sm/} directory. */
    static final Set<PosixFilePermission> DIRECTORY_MODE = EnumSet.of(
            PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
            PosixFilePermission.OWNER_EXECUTE);

    /** Windows refuses to open a directory, so a directory cannot be fsynced there. */
    private static final boolean CAN_OPEN_DIRECTORIES = !System.getProperty("os.name", "")
            .toLowerCase(Locale.ROOT).startsWith("windows");

    private NioFileOps() {
    }

    @Override
    public FileChannel createNew(Path file) throws IOException {
        FileChannel channel = isPosix(file)
                ? FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), fileModeAttribute())
                : FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        LinkOption.NOFOLLOW_LINKS);
        try {
            restrictToOwner(file);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        return channel;
    }

    @Override
    public void write(FileChannel channel, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    @Override
    public void force(FileChannel channel) throws IOException {
        channel.force(true);
    }

    @Override
    public void close(FileChannel channel) throws IOException {
        channel.close();
    }

    @Override
    public void moveAtomically(Path source, Path target) throws IOException {
        Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void fsyncDirectory(Path directory) throws IOException {
        if (!CAN_OPEN_DIRECTORIES) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
                    channel.force(true);
                    return;
                } catch (ClosedByInterruptException e) {
                    // An interrupt closed the channel before the flush was known to finish; that is
                    // not an I/O error of the device, so flush again on a fresh channel. Other
                    // savers wait on this flush, so one thread's interrupt must not fail theirs.
                    interrupted = true;
                    Thread.interrupted();
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean deleteIfExists(Path file) throws IOException {
        // Files.deleteIfExists removes a symbolic link itself, never its target.
        return Files.deleteIfExists(file);
    }

    /** Tells whether a path lives on a file system with the "unix" attribute view (ctime). */
    static boolean isUnix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("unix");
    }

    /** Tells whether a path lives on a file system with POSIX permissions. */
    static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static FileAttribute<Set<PosixFilePermission>> fileModeAttribute() {
        return PosixFilePermissions.asFileAttribute(FILE_MODE);
    }

    /**
     * Creates a directory of mode 0700 ({@code sm/}, the quarantine): asked for at creation, and
     * set explicitly where the umask took something away from it.
     *
     * @param directory the directory to create
     * @return the directory
     * @throws IOException if it cannot be created, for example because something is there
     */
    static Path createPrivateDirectory(Path directory) throws IOException {
        if (!isPosix(directory)) {
            return Files.createDirectory(directory);
        }
        Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
        PosixFileAttributeView view = Files.getFileAttributeView(directory,
                PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes attributes = view.readAttributes();
        if (attributes.isDirectory() && !attributes.permissions().equals(DIRECTORY_MODE)) {
            view.setPermissions(DIRECTORY_MODE);
        }
        return directory;
    }

    /**
     * Makes the mode exactly 0600: the mode given at creation is reduced by the umask, so it is
     * checked, and changed only where the umask took something away. The check is one stat; the
     * change costs a second open of the file (the JDK sets a mode without following links
     * through open plus fchmod), which a save under the usual umask no longer pays. The view
     * does not follow links.
     */
    static void restrictToOwner(Path file) throws IOException {
        if (isPosix(file)) {
            PosixFileAttributeView view = Files.getFileAttributeView(file,
                    PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes attributes = view.readAttributes();
            if (!attributes.isRegularFile() || !attributes.permissions().equals(FILE_MODE)) {
                view.setPermissions(FILE_MODE);
            }
        }
    }
}
