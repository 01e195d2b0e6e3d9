package dev.palimpsest.recall.lucene;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Erasures asked of the process that holds the index, by processes that cannot write it: one
 * small file per conversation (named by a hash of its id, since an id may be longer than a file
 * name; the file holds the id), written to a temporary name, forced and renamed, so the holder
 * never reads half a request. The holder erases, then deletes the request.
 */
final class EraseRequests {
    private static final String SUFFIX = ".erase";
    private static final int MAX_REQUEST_BYTES = 4096;
    private final Path dir;

    EraseRequests(Path dir) {
        this.dir = dir;
    }

    void request(String convId) throws IOException {
        Files.createDirectories(dir);
        Path target = file(convId);
        Path temp = dir.resolve(target.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer bytes = ByteBuffer.wrap(convId.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    boolean pending(String convId) {
        return Files.exists(file(convId));
    }

    /** {@return the conversations whose erasure is asked}: unreadable requests are left out */
    List<String> pending() throws IOException {
        List<String> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : files) {
                try {
                    if (Files.size(file) <= MAX_REQUEST_BYTES) {
                        out.add(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
                    }
                } catch (NoSuchFileException gone) {
                    // Another holder's erasure finished it: nothing to do.
                }
            }
        }
        return out;
    }

    void done(String convId) throws IOException {
        Files.deleteIfExists(file(convId));
    }

    private Path file(String convId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(convId.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(digest) + SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
