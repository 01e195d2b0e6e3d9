package dev.palimpsest.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The deliberately broken writers that prove the reliability harness can see what it looks for.
 * A conversation is one text file of {@code seq<TAB>user} lines closed by {@code END<TAB>count},
 * so that a truncated or empty file reads as unreadable.
 *
 * <ul>
 *   <li>{@link Mode#NO_FSYNC}: the store's protocol without either fsync (temp file, write,
 *       rename). A power loss can then lose acknowledged rounds or leave an empty file.</li>
 *   <li>{@link Mode#IN_PLACE}: truncate the file and rewrite it in small chunks, with fsync but
 *       without a rename. A kill at the wrong moment leaves a torn file.</li>
 * </ul>
 * One process per conversation: these writers take no lock.
 */
final class PlainWriter {
    /** How the writer breaks the protocol. */
    enum Mode { NO_FSYNC, IN_PLACE }

    private final Path dir;
    private final Mode mode;

    /**
     * Creates a writer.
     *
     * @param root the data root; files go to {@code root/plain}
     * @param mode how the writer breaks the protocol
     */
    PlainWriter(Path root, Mode mode) {
        this.dir = root.resolve("plain");
        this.mode = mode;
    }

    /**
     * The rounds of a plain file.
     *
     * @param users the user text of round {@code i + 1} at index {@code i}
     */
    record Contents(List<String> users) {
        Contents {
            users = List.copyOf(users);
        }
    }

    /**
     * Appends a round and returns its sequence number.
     *
     * @param convId the conversation (a file name; the harness uses plain ASCII ids)
     * @param user   the user text (no tab or newline)
     * @return the new round's sequence number
     * @throws IOException if a step failed or the file is unreadable
     */
    long append(String convId, String user) throws IOException {
        Files.createDirectories(dir);
        List<String> users = new ArrayList<>(readFile(dir, convId).users());
        users.add(user);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < users.size(); i++) {
            sb.append(i + 1).append('\t').append(users.get(i)).append('\n');
        }
        sb.append("END\t").append(users.size()).append('\n');
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        if (mode == Mode.NO_FSYNC) {
            BareProtocol.replace(dir, convId + ".txt", bytes, false, false);
        } else {
            try (FileChannel ch = FileChannel.open(dir.resolve(convId + ".txt"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ByteBuffer chunk = buf.slice();
                    chunk.limit(Math.min(chunk.remaining(), 512));
                    buf.position(buf.position() + ch.write(chunk));
                }
                ch.force(true);
            }
        }
        return users.size();
    }

    /**
     * Reads a conversation's file.
     *
     * @param root   the data root the writer used
     * @param convId the conversation
     * @return its rounds; none if there is no file
     * @throws IOException if the file is unreadable (torn, empty, malformed)
     */
    static Contents read(Path root, String convId) throws IOException {
        return readFile(root.resolve("plain"), convId);
    }

    private static Contents readFile(Path dir, String convId) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve(convId + ".txt"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Contents(List.of());
        }
        if (lines.isEmpty() || !lines.get(lines.size() - 1).startsWith("END\t")) {
            throw new IOException("unreadable " + convId + ".txt: no END line ("
                    + lines.size() + " lines)");
        }
        int count = Integer.parseInt(lines.get(lines.size() - 1).substring(4));
        if (count != lines.size() - 1) {
            throw new IOException("unreadable " + convId + ".txt: END says " + count + ", found "
                    + (lines.size() - 1) + " rounds");
        }
        List<String> users = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String line = lines.get(i);
            String prefix = (i + 1) + "\t";
            if (!line.startsWith(prefix)) {
                throw new IOException("unreadable " + convId + ".txt: line " + (i + 1)
                        + " is not round " + (i + 1));
            }
            users.add(line.substring(prefix.length()));
        }
        return new Contents(users);
    }
}
