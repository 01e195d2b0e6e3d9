package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two stores over one root, as two processes would have: each keeps its own cache, and each
 * sees every change of the other, because the cache is checked against the log's end under the
 * conversation's lock.
 */
class SharedRootTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path root;

    @Test
    void interleavedWritersOfTwoStoresNumberWithoutGaps() {
        FileStoreOptions small = new FileStoreOptions(5, 1 << 16, 64 * 1024, 4096, 1 << 20);
        try (FileConversationStore a = FileConversationStore.open(root, small);
             FileConversationStore b = FileConversationStore.open(root, small)) {
            for (int i = 0; i < 30; i++) {
                FileConversationStore s = i % 3 == 0 ? b : a;
                s.append(AppendRequest.of("c", Expectation.nextRoundSeq(i + 1), T,
                        Message.user("q" + i).withId("u" + i), Message.assistant("a" + i)));
                if (i == 20) {
                    long compacted = b.load("c").orElseThrow().counters().compactedRounds();
                    a.commitCompaction(new CompactionRequest("c", compacted, 10, "ctx", 1, T));
                }
            }
            assertEquals(a.load("c"), b.load("c"));
            assertEquals(1, b.messageById("c", "u0").orElseThrow().seq(), "ids of the other");
            assertEquals(60, b.load("c").orElseThrow().counters().messagesTotal());
        }
    }

    /**
     * A conversation deleted and made anew by another store while this one caches it: the new
     * first segment may reuse the old one's inode (ext4 hands a freed inode out again at once),
     * so the cache is known stale by the incarnation in the lock file, not by the log's inode.
     */
    private Object inode() {
        try {
            return java.nio.file.Files.getAttribute(root.resolve("sm").resolve(
                    "conversation-c.00000001.log"), "unix:ino");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aConversationMadeAnewByAnotherStoreIsNotTakenForTheCachedOne() {
        int reused = 0;
        try (FileConversationStore a = FileConversationStore.open(root);
             FileConversationStore b = FileConversationStore.open(root)) {
            // Enough conversations cached with their segments open that the writer of the one
            // under test closes its segment after each change: nothing then holds the old
            // first segment's inode, which is free to be handed out again.
            for (int i = 0; i < OpenSegments.MAX; i++) {
                a.append(AppendRequest.of("filler-" + i, Expectation.none(), T,
                        Message.user("q")));
            }
            for (int i = 0; i < 40; i++) {
                a.append(AppendRequest.of("c", Expectation.none(), T, Message.user("a" + i),
                        Message.assistant("long answer " + "x".repeat(i * 10))));
                Object before = inode(); // the cache holds no descriptor of it (see above)
                assertEquals(true, b.delete("c"));
                b.append(AppendRequest.of("c", Expectation.none(), T, Message.user("b" + i)));
                reused += before.equals(inode()) ? 1 : 0;
                var appended = a.append(AppendRequest.of("c", Expectation.nextMessageSeq(2), T,
                        Message.assistant("answer " + i)));
                assertEquals(2, appended.messages().get(0).seq(), "cycle " + i);
                List<String> texts = new ArrayList<>();
                for (StoredMessage m : a.messages("c", 1, 10)) {
                    texts.add(m.message().content());
                }
                assertEquals(List.of("b" + i, "answer " + i), texts, "cycle " + i);
                try (FileConversationStore fresh = FileConversationStore.open(root)) {
                    assertEquals(a.load("c"), fresh.load("c"), "cycle " + i);
                }
                assertEquals(true, a.delete("c"));
            }
        }
        System.out.println("first segment made anew on the old one's inode in " + reused
                + " of 40 cycles");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentWritersOfTwoStoresLoseNothing() throws Exception {
        FileConversationStore[] stores = {FileConversationStore.open(root),
            FileConversationStore.open(root)};
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < 40; i++) {
                        stores[thread % 2].append(AppendRequest.of("c", Expectation.none(), T,
                                Message.user(thread + "/" + i), Message.assistant("ok")));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        try (FileConversationStore fresh = FileConversationStore.open(root)) {
            List<StoredMessage> all = fresh.messages("c", 1, 1000);
            assertEquals(320, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).seq());
            }
        }
        stores[0].close();
        stores[1].close();
    }
}
