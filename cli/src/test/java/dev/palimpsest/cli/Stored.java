package dev.palimpsest.cli;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/** What the tests read back from a root, through the file store itself. */
final class Stored {
    private Stored() {
    }

    /** The conversation's state, or the empty state (revision 0) if it is not stored. */
    static ConversationState state(Path root, String convId) {
        if (!Files.isDirectory(root)) {
            return ConversationState.empty(convId);
        }
        try (FileConversationStore store = FileConversationStore.open(root)) {
            return store.load(convId).orElse(ConversationState.empty(convId));
        }
    }

    /** Every round of the conversation, compacted ones too. */
    static List<Round> rounds(Path root, String convId) {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            return store.rounds(convId, 1, Integer.MAX_VALUE);
        }
    }

    /** The content of the round's first message of {@code role}, or null if it has none. */
    static String text(Round round, Role role) {
        return round.messages().stream().filter(m -> m.role() == role).findFirst()
                .map(m -> m.message().content()).orElse(null);
    }

    static String user(Round round) {
        return text(round, Role.USER);
    }

    static String assistant(Round round) {
        return text(round, Role.ASSISTANT);
    }

    /** The metadata of the round's first message, where append keeps the round's. */
    static Map<String, String> meta(Round round) {
        return round.messages().get(0).message().metadata();
    }

    /** The log's first segment of a conversation. */
    static Path log(Path root, String convId) {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            String checkpoint = store.checkpointFile(convId).getFileName().toString();
            return root.resolve("sm").resolve(checkpoint.substring(0,
                    checkpoint.length() - ".json".length()) + ".00000001.log");
        }
    }

    /**
     * Damages the log of a conversation before its end: flips one byte inside the first
     * occurrence of {@code marker}, so that record fails its checksum with records after it.
     */
    static void damageLog(Path root, String convId, String marker) {
        Path log = log(root, convId);
        try {
            byte[] bytes = Files.readAllBytes(log);
            byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i + needle.length <= bytes.length; i++) {
                if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0,
                        needle.length)) {
                    bytes[i] ^= 0x20;
                    Files.write(log, bytes);
                    return;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("no '" + marker + "' in " + log);
    }

    /**
     * Leaves what a writer killed while appending leaves: a record header at the log's end that
     * claims more bytes than follow it.
     */
    static Path tearLogTail(Path root, String convId) {
        Path log = log(root, convId);
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer all = ByteBuffer.allocate((int) ch.size());
            while (all.hasRemaining() && ch.read(all) >= 0) {
                // Reads the whole segment: small in a test.
            }
            // The segment header says where the first frame starts; each frame is its length,
            // its checksum, then the record; zeros follow the last one.
            long end = all.getInt(12);
            while (all.getInt((int) end) != 0) {
                end += 8 + all.getInt((int) end);
            }
            ch.write(ByteBuffer.allocate(40).putInt(900).putInt(7).put(new byte[] {1, 2})
                    .flip(), end);
            return log;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Leaves what a writer killed while writing a checkpoint leaves: its temp file. */
    static Path leaveCheckpointTemp(Path root, String convId) {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            Path checkpoint = store.checkpointFile(convId);
            Path temp = checkpoint.resolveSibling(checkpoint.getFileName()
                    + ".00000000deadbeef.tmp");
            Files.writeString(temp, "{\"schema_version\": 2, \"conv_");
            return temp;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The messages of the conversation, in order. */
    static List<StoredMessage> messages(Path root, String convId) {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            return store.messages(convId, 1, Integer.MAX_VALUE);
        }
    }
}
