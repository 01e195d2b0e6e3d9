package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.Expectation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message-id index: a store opened afresh knows a conversation's ids without reading its
 * log, and whatever happens to the index (missing, cut short, bit-flipped, an older copy, a copy
 * of another incarnation, appends it missed) no id is ever missed: a retry is recognised and a
 * reused id with other content is a conflict.
 */
class IdIndexTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aFreshStoreKnowsTheIdsOfALongConversationWithoutReadingItsLog() {
        Path root = dir.resolve("root");
        try (FileConversationStore store = open(root)) {
            for (int i = 1; i <= 300; i++) {
                append(store, "c", "u" + i, "text " + i);
            }
        }
        try (FileConversationStore fresh = open(root)) {
            AppendResult retry = append(fresh, "c", "u5", "text 5");
            assertTrue(retry.retried(), retry.toString());
            assertEquals(5, retry.messages().get(0).seq());
            assertEquals(301, append(fresh, "c", "u301", "text 301").messages().get(0).seq());
            assertEquals(0, fresh.idRecordsRead(), "records read to learn the ids");
        }
        try (FileConversationStore fresh = open(root)) {
            assertEquals(150, fresh.messageById("c", "u150").orElseThrow().seq());
            assertTrue(fresh.messageById("c", "nope").isEmpty());
            assertEquals(0, fresh.idRecordsRead(), "records read to learn the ids");
        }
    }

    @Test
    void appendsWithoutIdsAndAMissingIndexCostOneReadOfTheLogThenNone() throws IOException {
        Path root = dir.resolve("root");
        try (FileConversationStore store = open(root)) {
            append(store, "c", "first", "a");
            for (int i = 0; i < 50; i++) {
                store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("x" + i)));
            }
        }
        Files.delete(idIndexOfC(root));
        try (FileConversationStore fresh = open(root)) {
            assertTrue(append(fresh, "c", "first", "a").retried());
            assertEquals(51, fresh.idRecordsRead(), "the whole log, once");
        }
        try (FileConversationStore fresh = open(root)) {
            assertTrue(append(fresh, "c", "first", "a").retried());
            assertEquals(0, fresh.idRecordsRead(), "the index made again by the write before");
        }
    }

    @Test
    void deleteRemovesTheIdIndex() throws IOException {
        Path root = dir.resolve("root");
        try (FileConversationStore store = open(root)) {
            append(store, "c", "secret-id", "a");
            Path ids = idIndexOfC(root);
            assertTrue(Files.exists(ids));
            assertTrue(store.delete("c"));
            assertFalse(Files.exists(ids));
            assertFalse(append(store, "c", "secret-id", "other").retried(),
                    "an id of the deleted conversation is free again");
        }
    }

    @Test
    void theIndexOfADeletedConversationSaysNothingAboutTheNextOneOfItsId() throws IOException {
        Path root = dir.resolve("root");
        Path ids = idIndexOfC(root);
        byte[] old;
        try (FileConversationStore store = open(root)) {
            for (int i = 1; i <= 10; i++) {
                append(store, "c", "old" + i, "a");
            }
            old = Files.readAllBytes(ids);
            assertTrue(store.delete("c"));
            for (int i = 1; i <= 12; i++) {
                append(store, "c", "new" + i, "b");
            }
        }
        // Put back, as a backup restored over a live root could: it claims to know every id
        // through seq 10 of a conversation that now holds others there.
        Files.write(ids, old);
        try (FileConversationStore fresh = open(root)) {
            assertTrue(append(fresh, "c", "new3", "b").retried());
            assertEquals(3, fresh.messageById("c", "new3").orElseThrow().seq());
            assertTrue(fresh.messageById("c", "old3").isEmpty());
        }
    }

    /**
     * Random appends with new ids, retries and reused ids with other content through two stores
     * over one root, reopened at random, while the id index is damaged at random between steps;
     * every id stored is checked by a fresh store after every damage. Prints its seed.
     */
    @Test
    void noDamageToTheIndexEverHidesAnId() {
        long base = Long.getLong("palimpsest.seed", System.nanoTime());
        for (int run = 0; run < 6; run++) {
            long seed = base + run;
            try {
                runHistory(dir.resolve("run-" + run), seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("IdIndexTest history failed; replay with"
                        + " -Dpalimpsest.seed=" + seed + ": " + e, e);
            }
        }
        System.out.println("IdIndexTest seeds " + base + ".." + (base + 5));
    }

    private void runHistory(Path root, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, Long> stored = new LinkedHashMap<>(); // id -> seq
        List<byte[]> oldCopies = new ArrayList<>();
        Path ids = idIndexOfC(root);
        FileConversationStore[] stores = {open(root), open(root)};
        try {
            long seq = 0;
            for (int step = 0; step < 150; step++) {
                FileConversationStore s = stores[random.nextInt(2)];
                int op = random.nextInt(10);
                if (op < 5 || stored.isEmpty()) {
                    String id = "m" + step;
                    AppendResult r = append(s, "c", id, "text of " + id);
                    assertFalse(r.retried());
                    seq = r.messages().get(0).seq();
                    stored.put(id, seq);
                } else if (op < 7) {
                    s.append(AppendRequest.of("c", Expectation.none(), T,
                            Message.user("no id " + step)));
                    seq++;
                } else if (op < 9) {
                    String id = pick(random, stored);
                    AppendResult r = append(s, "c", id, "text of " + id);
                    assertTrue(r.retried(), "retry of " + id + " at step " + step);
                    assertEquals(stored.get(id), r.messages().get(0).seq());
                } else {
                    String id = pick(random, stored);
                    try {
                        append(s, "c", id, "other text");
                        throw new AssertionError("reused id " + id + " was appended");
                    } catch (dev.palimpsest.model.PalimpsestException e) {
                        assertEquals(dev.palimpsest.model.FailureKind.CONFLICT, e.kind());
                    }
                }
                if (random.nextInt(4) == 0 && Files.exists(ids)) {
                    oldCopies.add(Files.readAllBytes(ids));
                }
                if (random.nextInt(5) == 0) {
                    damage(ids, random, oldCopies);
                }
                if (random.nextInt(6) == 0) {
                    int which = random.nextInt(2);
                    stores[which].close();
                    stores[which] = open(root);
                }
                if (random.nextInt(8) == 0) {
                    try (FileConversationStore fresh = open(root)) {
                        for (Map.Entry<String, Long> e : stored.entrySet()) {
                            StoredMessage m = fresh.messageById("c", e.getKey()).orElseThrow(
                                    () -> new AssertionError("id " + e.getKey() + " missed"));
                            assertEquals(e.getValue(), m.seq(), e.getKey());
                        }
                    }
                }
            }
            assertEquals(seq, stores[0].load("c").orElseThrow().counters().messagesTotal());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            stores[0].close();
            stores[1].close();
        }
    }

    private static void damage(Path ids, SplittableRandom random, List<byte[]> oldCopies)
            throws IOException {
        if (!Files.exists(ids)) {
            return;
        }
        byte[] bytes = Files.readAllBytes(ids);
        switch (random.nextInt(5)) {
            case 0 -> Files.delete(ids);
            case 1 -> Files.write(ids, java.util.Arrays.copyOf(bytes,
                    random.nextInt(bytes.length + 1)));
            case 2 -> {
                // An earlier damage may have cut the file to nothing: no bit to flip then.
                if (bytes.length > 0) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                    Files.write(ids, bytes);
                }
            }
            case 3 -> {
                if (!oldCopies.isEmpty()) {
                    Files.write(ids, oldCopies.get(random.nextInt(oldCopies.size())));
                }
            }
            default -> {
                // Of another incarnation: the same entries under another header.
                if (bytes.length >= IdIndex.HEADER) {
                    bytes[IdIndex.MAGIC.length] ^= 1;
                    Files.write(ids, bytes);
                }
            }
        }
    }

    private static String pick(SplittableRandom random, Map<String, Long> stored) {
        List<String> keys = new ArrayList<>(stored.keySet());
        return keys.get(random.nextInt(keys.size()));
    }

    /** The message-id index of conversation "c" under {@code root}. */
    private static Path idIndexOfC(Path root) {
        return root.resolve("sm").resolve(ConversationIdCodec.idIndexName(
                ConversationIdCodec.stem("c")));
    }

    private static FileConversationStore open(Path root) {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return FileConversationStore.open(root);
    }

    private static AppendResult append(FileConversationStore store, String conv, String id,
                                       String text) {
        return store.append(AppendRequest.of(conv, Expectation.none(), T,
                Message.user(text).withId(id)));
    }
}
