package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that only appends reads the checkpoint's head and the newest round, not the window:
 * a process started per append pays for the round, not for a 4 MB window. These tests check that
 * it does (the store counts its whole-window reads), and that what it appends is what a store
 * holding the whole window appends, whatever the log holds around the checkpoint.
 */
class HeadReadTest {
    private static final Instant T = Instant.parse("2026-12-06T10:00:00Z");
    /** A checkpoint every 4 records, segments of 64 KiB: both are crossed often. */
    private static final FileStoreOptions OPTIONS = new FileStoreOptions(4, 1 << 20, 64 * 1024,
            4096, 8 << 20);

    @TempDir
    Path root;

    private FileConversationStore open() {
        return FileConversationStore.open(root, OPTIONS);
    }

    private static AppendResult append(ConversationStore store, String conv, Message... messages) {
        List<NewMessage> counted = new ArrayList<>();
        for (Message m : messages) {
            counted.add(new NewMessage(m, m.content().length() / 4 + 1));
        }
        return store.append(new AppendRequest(conv, counted, Expectation.none(), T));
    }

    @Test
    void appendsByFreshStoresToACheckpointedWindowNeverReadTheWindow() {
        String big = "w".repeat(2000);
        try (FileConversationStore store = open()) {
            for (int i = 0; i < 300; i++) {
                append(store, "c", Message.user("q" + i + big), Message.assistant("a" + i));
            }
        }
        for (int i = 0; i < 40; i++) {
            try (FileConversationStore fresh = open()) {
                append(fresh, "c", Message.user("later " + i), Message.assistant("ok"));
                assertEquals(0, fresh.windowReads(), "append " + i + " read the window");
            }
        }
        try (FileConversationStore fresh = open()) {
            ConversationState s = fresh.load("c").orElseThrow();
            assertEquals(340, s.counters().roundsTotal());
            assertEquals(Optional.of(ConversationSummary.of(s)), open().summary("c"));
        }
    }

    @Test
    void aRoundLongerThanAnIndexBlockIsJoinedByAFreshStore() {
        try (FileConversationStore store = open()) {
            append(store, "c", Message.user("start"));
            // 200 tool exchanges in one round: the round spans several blocks of the index.
            for (int i = 0; i < 100; i++) {
                append(store, "c", Message.assistant("", List.of(
                        new ToolCall("call-" + i, "search", "{}"))));
                append(store, "c", Message.tool("call-" + i, "search", "result " + i));
            }
        }
        try (FileConversationStore fresh = open()) {
            append(fresh, "c", Message.assistant("", List.of(new ToolCall("last", "s", "{}"))));
            assertEquals(0, fresh.windowReads());
        }
        try (FileConversationStore fresh = open()) {
            // The open call of the round is known to the fresh store: its result joins.
            append(fresh, "c", Message.tool("last", "s", "done"));
            assertEquals(0, fresh.windowReads());
            assertEquals(1, fresh.summary("c").orElseThrow().counters().roundsTotal());
        }
        try (FileConversationStore fresh = open()) {
            Round only = fresh.load("c").orElseThrow().recentRounds().get(0);
            assertEquals(203, only.messages().size());
        }
    }

    @Test
    void aSummaryOfManyConversationsReadsNoWindow() {
        try (FileConversationStore store = open()) {
            for (int c = 0; c < 20; c++) {
                for (int i = 0; i < 9; i++) {
                    append(store, "conv-" + c, Message.user("q"), Message.assistant("a"));
                }
            }
        }
        try (FileConversationStore fresh = open()) {
            for (int c = 0; c < 20; c++) {
                assertEquals(9, fresh.summary("conv-" + c).orElseThrow().counters()
                        .roundsTotal());
            }
            assertEquals(0, fresh.windowReads());
        }
    }

    @Test
    void theLockFilesHeadServesWithoutTheIndexOrTheCheckpointAndTheirLossFallsBack()
            throws IOException {
        try (FileConversationStore store = open()) {
            for (int i = 0; i < 100; i++) {
                append(store, "c", Message.user("q" + i), Message.assistant("a" + i));
            }
        }
        Path sm = root.resolve("sm");
        String stem = ConversationIdCodec.stem("c");
        Path head = sm.resolve(ConversationIdCodec.lockName(stem));
        assertTrue(holdsHead(head));
        Files.delete(sm.resolve(ConversationIdCodec.indexName(stem)));
        try (FileConversationStore fresh = open()) {
            append(fresh, "c", Message.user("after the index went"));
            assertEquals(0, fresh.windowReads());
            assertEquals(1, fresh.headLoads(), "the head names where the round starts");
        }
        Files.deleteIfExists(sm.resolve(ConversationIdCodec.indexName(stem)));
        dropHead(head);
        try (FileConversationStore fresh = open()) {
            append(fresh, "c", Message.assistant("after the head went too"));
            assertEquals(1, fresh.windowReads(), "without index and head the round is not found");
            // Nor can the store tell where round 101 starts: it writes no head rather than a
            // wrong one, until a round opens.
            assertFalse(holdsHead(head));
            append(fresh, "c", Message.user("a new round"));
            assertTrue(holdsHead(head));
        }
        try (FileConversationStore fresh = open()) {
            Files.delete(fresh.checkpointFile("c"));
            append(fresh, "c", Message.assistant("after the checkpoint went"));
            assertEquals(0, fresh.windowReads());
            assertEquals(1, fresh.headLoads());
        }
        try (FileConversationStore fresh = open()) {
            dropHead(head);
            Files.deleteIfExists(fresh.checkpointFile("c"));
            append(fresh, "c", Message.assistant("after both went"));
            assertEquals(1, fresh.windowReads());
            assertEquals(102, fresh.load("c").orElseThrow().counters().roundsTotal());
        }
    }

    @Test
    void aFreshSummaryReadsOnlyTheHeadAndGoesAroundOneTheLogOutgrew() throws IOException {
        try (FileConversationStore store = open()) {
            for (int i = 0; i < 30; i++) {
                append(store, "c", Message.user("q" + i), Message.assistant("a" + i));
            }
        }
        Path lock = root.resolve("sm").resolve(ConversationIdCodec.lockName(
                ConversationIdCodec.stem("c")));
        byte[] before = Files.readAllBytes(lock);
        try (FileConversationStore fresh = open()) {
            assertEquals(30, fresh.summary("c").orElseThrow().counters().roundsTotal());
            assertEquals(1, fresh.headLoads());
            assertEquals(0, fresh.windowReads());
        }
        try (FileConversationStore store = open()) {
            append(store, "c", Message.user("q30"), Message.assistant("a30"));
        }
        // A writer killed after its record was forced and before it wrote the head leaves the
        // head of the record before: the log outgrew it, and the summary must say so.
        Files.write(lock, before);
        try (FileConversationStore fresh = open()) {
            assertEquals(31, fresh.summary("c").orElseThrow().counters().roundsTotal());
            assertEquals(62, fresh.summary("c").orElseThrow().counters().messagesTotal());
        }
    }

    @Test
    void aLargeFirstRecordIsListedWithTheLockFilesHeadAndWithout() throws IOException {
        try (FileConversationStore store = open()) {
            append(store, "big", Message.user("q".repeat(200_000)), Message.assistant("a"));
            append(store, "small", Message.user("q"), Message.assistant("a"));
        }
        try (FileConversationStore fresh = open()) {
            assertEquals(List.of("big", "small"), fresh.list(Optional.empty(), 10).ids());
        }
        Path sm = root.resolve("sm");
        Path segment = sm.resolve(ConversationIdCodec.segmentName(
                ConversationIdCodec.stem("big"), 1));
        byte[] log = Files.readAllBytes(segment);
        log[log.length / 8] ^= 1; // inside the first record's payload
        Files.write(segment, log);
        dropHead(sm.resolve(ConversationIdCodec.lockName(ConversationIdCodec.stem("big"))));
        try (FileConversationStore fresh = open()) {
            // Without a head the large record is checked whole. Damaged, it is the log's last
            // record, so it reads as a first append that never finished: no conversation, for
            // list as for load (with the head, list would have gone by the frame alone).
            assertEquals(List.of("small"), fresh.list(Optional.empty(), 10).ids());
            assertTrue(fresh.load("big").isEmpty());
        }
    }

    /** Whether a lock file holds a head block (not necessarily a valid one). */
    private static boolean holdsHead(Path lockFile) throws IOException {
        byte[] bytes = Files.readAllBytes(lockFile);
        if (bytes.length != HeadBlock.OFFSET + HeadBlock.SIZE) {
            return false;
        }
        for (int i = HeadBlock.OFFSET; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return true;
            }
        }
        return false;
    }

    /** Cuts the head off a lock file, keeping its incarnation: as if it never got one. */
    private static void dropHead(Path lockFile) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(lockFile,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(HeadBlock.OFFSET);
        }
    }

    @Test
    void aFreshStoreReplaysNothingWhenTheHeadIsAtTheEnd() throws IOException {
        FileStoreOptions rare = new FileStoreOptions(1 << 20, 1L << 40, 64 << 20, 4096,
                8 << 20);
        try (FileConversationStore store = FileConversationStore.open(root, rare)) {
            for (int i = 0; i < 500; i++) {
                append(store, "c", Message.user("q" + i), Message.assistant("a" + i));
            }
        }
        assertTrue(Files.notExists(root.resolve("sm").resolve(ConversationIdCodec.stateName(
                ConversationIdCodec.stem("c")))), "no checkpoint: 500 records would be replayed");
        try (FileConversationStore fresh = FileConversationStore.open(root, rare)) {
            assertEquals(500, fresh.summary("c").orElseThrow().counters().roundsTotal());
            append(fresh, "c", Message.user("next"));
            assertEquals(0, fresh.windowReads());
            // The summary reads only the head and caches nothing; the append reads it again.
            assertEquals(2, fresh.headLoads());
        }
    }

    /**
     * Random changes through several stores over one root, each reopened at random, against the
     * in-memory store given the same changes: every store agrees with it after every change,
     * including fresh ones that read only the head.
     */
    @Test
    void generatedHistoriesAgreeWithTheInMemoryStore() throws IOException {
        long base = Long.getLong("palimpsest.seed", System.nanoTime());
        for (int run = 0; run < 12; run++) {
            long seed = base + run;
            Path dir = Files.createTempDirectory(root, "run");
            try {
                runHistory(dir, seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("generated history failed; replay it with"
                        + " -Dpalimpsest.seed=" + seed + ": " + e, e);
            }
        }
        System.out.println("HeadReadTest seeds " + base + ".." + (base + 11));
    }

    private static void runHistory(Path dir, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        InMemoryConversationStore reference = new InMemoryConversationStore();
        FileConversationStore[] stores = {FileConversationStore.open(dir, OPTIONS),
            FileConversationStore.open(dir, OPTIONS)};
        List<String> openCalls = new ArrayList<>();
        List<byte[]> savedHeads = new ArrayList<>();
        int callNo = 0;
        try {
            for (int step = 0; step < 400; step++) {
                int which = random.nextInt(stores.length);
                if (random.nextInt(10) == 0) {
                    stores[which].close();
                    stores[which] = FileConversationStore.open(dir, OPTIONS);
                }
                if (damageHead(dir, random, savedHeads)) {
                    // A crash of the machine: no process that cached the log outlives it.
                    for (int i = 0; i < stores.length; i++) {
                        stores[i].close();
                        stores[i] = FileConversationStore.open(dir, OPTIONS);
                    }
                }
                FileConversationStore store = stores[which];
                int op = random.nextInt(20);
                if (op == 0) {
                    compact(reference, store, random);
                } else if (op == 1 && reference.load("c").isPresent()) {
                    assertEquals(reference.recordCompactionFailure("c", T),
                            store.recordCompactionFailure("c", T));
                } else {
                    List<Message> batch = new ArrayList<>();
                    int n = 1 + random.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        int kind = random.nextInt(8);
                        if (kind == 0 || reference.load("c").isEmpty() && batch.isEmpty()) {
                            batch.add(random.nextInt(6) == 0 ? Message.system("rules " + step)
                                    : Message.user("q " + step + " " + "x".repeat(
                                            random.nextInt(3000))));
                            openCalls.clear();
                        } else if (kind <= 2 && !openCalls.isEmpty()) {
                            String id = openCalls.remove(random.nextInt(openCalls.size()));
                            batch.add(Message.tool(id, "search", "result of " + id));
                        } else if (kind == 3) {
                            String id = "call-" + callNo++;
                            openCalls.add(id);
                            batch.add(Message.assistant("", List.of(new ToolCall(id, "search",
                                    "{\"q\":" + step + "}"))));
                        } else {
                            batch.add(Message.assistant("a " + step));
                        }
                    }
                    Message[] messages = batch.toArray(Message[]::new);
                    AppendResult expected;
                    try {
                        expected = append(reference, "c", messages);
                    } catch (PalimpsestException refused) {
                        // The reference refuses it (say, a system message in the middle of
                        // open calls): so must the file store, leaving nothing behind.
                        PalimpsestException e = org.junit.jupiter.api.Assertions.assertThrows(
                                PalimpsestException.class, () -> append(store, "c", messages));
                        assertEquals(refused.kind(), e.kind());
                        openCalls.clear();
                        reference.load("c").ifPresent(s -> openCalls.addAll(
                                unanswered(s.recentRounds())));
                        continue;
                    }
                    AppendResult actual = append(store, "c", messages);
                    assertEquals(expected, actual, "append at step " + step);
                    openCalls.clear();
                    openCalls.addAll(unanswered(reference.load("c").orElseThrow()
                            .recentRounds()));
                }
                ConversationState want = reference.load("c").orElse(null);
                if (want != null) {
                    assertEquals(Optional.of(ConversationSummary.of(want)),
                            stores[random.nextInt(stores.length)].summary("c"));
                    if (random.nextInt(4) == 0) {
                        // Uncached: from the lock file's head when the log bears it out.
                        try (FileConversationStore fresh = FileConversationStore.open(dir,
                                OPTIONS)) {
                            assertEquals(Optional.of(ConversationSummary.of(want)),
                                    fresh.summary("c"), "fresh summary at step " + step);
                        }
                    }
                    if (random.nextInt(8) == 0) {
                        try (FileConversationStore fresh = FileConversationStore.open(dir,
                                OPTIONS)) {
                            assertEquals(want, fresh.load("c").orElseThrow(), "step " + step);
                        }
                    }
                }
            }
            ConversationState want = reference.load("c").orElseThrow();
            for (FileConversationStore s : stores) {
                assertEquals(want, s.load("c").orElseThrow());
            }
            assertTrue(want.counters().roundsTotal() > 0);
        } finally {
            for (FileConversationStore s : stores) {
                s.close();
            }
        }
    }

    /**
     * Now and then cuts the head off the lock file, puts back an older copy of it (stale, or of
     * an earlier incarnation), puts back an older copy of the claimed end with its head (what a
     * lock file's page written back before the last appends leaves after a crash of the
     * machine: a claim that bears its head out, behind a log that goes on, perhaps in a later
     * segment), or flips one of its bits (torn): stores opened later must go around each. The
     * incarnation itself is left alone: a cache of an incarnation put back would be a test's
     * forgery, not a state the store can meet; so would an older claim under a live cache.
     *
     * @return whether an older claim was put back, which only a crash of the machine does: the
     *         caller then drops every cache
     */
    private static boolean damageHead(Path dir, SplittableRandom random, List<byte[]> saved) {
        Path lock = dir.resolve("sm").resolve(ConversationIdCodec.lockName(
                ConversationIdCodec.stem("c")));
        try {
            if (!Files.isRegularFile(lock)) {
                return false;
            }
            byte[] bytes = Files.readAllBytes(lock);
            if (bytes.length == HeadBlock.OFFSET + HeadBlock.SIZE && random.nextInt(4) == 0) {
                saved.add(java.util.Arrays.copyOfRange(bytes, ConversationLocks.CLAIM_OFFSET,
                        bytes.length));
            }
            int what = random.nextInt(30);
            if (what == 0) {
                dropHead(lock);
            } else if ((what == 1 || what == 3) && !saved.isEmpty()) {
                byte[] copy = java.util.Arrays.copyOf(bytes, HeadBlock.OFFSET + HeadBlock.SIZE);
                byte[] old = saved.get(random.nextInt(saved.size()));
                int from = what == 1 ? HeadBlock.OFFSET - ConversationLocks.CLAIM_OFFSET : 0;
                System.arraycopy(old, from, copy, ConversationLocks.CLAIM_OFFSET + from,
                        old.length - from);
                Files.write(lock, copy);
                return what == 3;
            } else if (what == 2 && bytes.length > HeadBlock.OFFSET) {
                int at = HeadBlock.OFFSET + random.nextInt(bytes.length - HeadBlock.OFFSET);
                bytes[at] ^= 1 << random.nextInt(8);
                Files.write(lock, bytes);
            }
            return false;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> unanswered(List<Round> rounds) {
        List<String> out = new ArrayList<>();
        if (rounds.isEmpty()) {
            return out;
        }
        for (var m : rounds.get(rounds.size() - 1).messages()) {
            m.message().toolCalls().forEach(call -> out.add(call.id()));
            m.message().toolCallId().ifPresent(out::remove);
        }
        return out;
    }

    private static void compact(InMemoryConversationStore reference, ConversationStore store,
                                SplittableRandom random) {
        Optional<ConversationState> s = reference.load("c");
        if (s.isEmpty() || s.get().recentRounds().size() < 2) {
            return;
        }
        ConversationState state = s.get();
        long base = state.counters().compactedRounds();
        long through = base + 1 + random.nextInt(state.recentRounds().size() - 1);
        CompactionRequest request = new CompactionRequest("c", base, through,
                "summary through " + through, 4, T);
        assertEquals(reference.commitCompaction(request), store.commitCompaction(request));
    }
}
