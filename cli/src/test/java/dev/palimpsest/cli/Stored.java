package dev.palimpsest.cli;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** The messages of the conversation, in order. */
    static List<StoredMessage> messages(Path root, String convId) {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            return store.messages(convId, 1, Integer.MAX_VALUE);
        }
    }
}
