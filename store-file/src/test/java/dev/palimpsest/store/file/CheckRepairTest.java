package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check} finds what is wrong and changes nothing; {@code check(true)} repairs it. */
class CheckRepairTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path root;

    private void rounds(String conv, int n) {
        try (FileConversationStore s = FileConversationStore.open(root)) {
            for (int i = 0; i < n; i++) {
                s.append(AppendRequest.of(conv, Expectation.none(), T,
                        Message.user("secret " + conv + " " + i), Message.assistant("a")));
            }
        }
    }

    private Path sm(String name) {
        return root.resolve("sm").resolve(name);
    }

    private static int header(Path segment) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(segment)).getInt(12);
    }

    private static void writeAt(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void aCleanRootIsCleanAndCheckChangesNothing() {
        rounds("a", 3);
        Map<String, String> before = TreeSnapshot.of(root, null);
        try (FileConversationStore s = FileConversationStore.open(root)) {
            CheckReport r = s.check(false);
            assertTrue(r.clean(), r.toString());
            assertEquals(1, r.conversations());
        }
        assertEquals(before, TreeSnapshot.of(root, null));
    }

    @Test
    void everyProblemIsFoundWithoutRepairAndMendedWithIt() throws IOException {
        rounds("torn", 2);
        rounds("badcp", 2);
        rounds("damaged", 4);
        rounds("fine", 1);
        // A torn tail: a frame header claiming more than was written.
        Path torn = sm("conversation-torn.00000001.log");
        long end = tornEnd(torn);
        writeAt(torn, end, ByteBuffer.allocate(40).putInt(900).putInt(7).put(new byte[] {1, 2})
                .array());
        Files.writeString(sm("conversation-badcp.json"), "{\"schema_version\":2,");
        Path damaged = sm("conversation-damaged.00000001.log");
        int h = header(damaged);
        writeAt(damaged, h + 8 + 30, new byte[] {'#'});
        Files.writeString(sm("conversation-fine.json.00000000deadbeef.tmp"), "left over");

        Map<String, String> before = TreeSnapshot.of(root, null);
        try (FileConversationStore s = FileConversationStore.open(root)) {
            CheckReport r = s.check(false);
            assertEquals(4, r.conversations());
            assertEquals(List.of(CheckReport.Problem.TORN_TAIL,
                    CheckReport.Problem.UNREADABLE_CHECKPOINT, CheckReport.Problem.DAMAGED_LOG,
                    CheckReport.Problem.LEFTOVER_TEMP_FILE).stream().sorted().toList(),
                    r.findings().stream().map(CheckReport.Finding::problem).sorted().toList());
            assertTrue(r.findings().stream().noneMatch(CheckReport.Finding::repaired));
        }
        assertEquals(before, TreeSnapshot.of(root, null), "check without repair changes nothing");

        try (FileConversationStore s = FileConversationStore.open(root)) {
            CheckReport r = s.check(true);
            assertTrue(r.findings().stream().allMatch(CheckReport.Finding::repaired),
                    r.toString());
            assertTrue(s.check(false).clean(), "repaired");
            assertEquals(4, s.load("torn").orElseThrow().counters().messagesTotal());
            assertEquals(4, s.load("badcp").orElseThrow().counters().messagesTotal());
            assertTrue(Files.readString(sm("conversation-badcp.json")).contains("\"revision\""));
            // The damaged conversation is gone with all of its files; the id starts afresh.
            assertTrue(s.load("damaged").isEmpty());
            s.append(AppendRequest.of("damaged", Expectation.none(), T, Message.user("new")));
            List<StoredMessage> all = s.messages("damaged", 1, 100);
            assertEquals(List.of("new"), all.stream().map(m -> m.message().content()).toList());
            assertTrue(containsText(root.resolve("sm/quarantine"), "secret damaged"),
                    "the quarantined copy is kept for the operator");
            // Delete is erasure: the quarantined copy goes too.
            assertTrue(s.delete("damaged"));
            assertFalse(containsText(root, "secret damaged"));
        }
    }

    @Test
    void aStateFileWithNoLogIsUnreadableAndRepairQuarantinesIt() throws IOException {
        rounds("kept", 1);
        try (FileConversationStore s = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS.checkpointingEveryChange())) {
            s.append(AppendRequest.of("lost", Expectation.none(), T, Message.user("secret lost"),
                    Message.assistant("a")));
        }
        // The log of 'lost' is gone, its checkpoint stays; 'junk' never had one.
        Files.delete(sm("conversation-lost.00000001.log"));
        Files.writeString(sm("conversation-junk.json"), "{\"schema_version\":");
        Map<String, String> before = TreeSnapshot.of(root, null);
        try (FileConversationStore s = FileConversationStore.open(root)) {
            CheckReport r = s.check(false);
            assertEquals(3, r.conversations());
            assertEquals(List.of("conversation-junk.json", "conversation-lost.json"),
                    r.findings().stream().map(CheckReport.Finding::file).sorted().toList());
            assertTrue(r.findings().stream().allMatch(f -> !f.repaired()
                    && f.problem() == CheckReport.Problem.UNREADABLE_CHECKPOINT), r.toString());
        }
        assertEquals(before, TreeSnapshot.of(root, null), "check without repair changes nothing");
        try (FileConversationStore s = FileConversationStore.open(root)) {
            assertTrue(s.check(true).findings().stream().allMatch(CheckReport.Finding::repaired));
            assertTrue(s.check(false).clean());
            assertEquals(List.of("kept"), s.list(java.util.Optional.empty(), 10).ids());
            assertTrue(containsText(root.resolve("sm/quarantine"), "secret lost"),
                    "the checkpoint is kept for the operator");
        }
    }

    @Test
    void aFifoOrALinkAtAStoreFileIsReportedWithoutBlockingAndMovedAsideByRepair()
            throws Exception {
        rounds("fifo", 2);
        rounds("link", 2);
        Path log = sm("conversation-fifo.00000001.log");
        Files.move(log, root.resolve("moved.log"));
        Process mkfifo = new ProcessBuilder("mkfifo", log.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, java.util.concurrent.TimeUnit.SECONDS));
        Path lock = sm("conversation-link.lock");
        Files.delete(lock);
        Files.createSymbolicLink(lock, root.resolve("elsewhere"));
        try (FileConversationStore s = FileConversationStore.open(root)) {
            CheckReport r = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                    java.time.Duration.ofSeconds(30), () -> s.check(false));
            assertEquals(List.of("conversation-fifo.00000001.log", "conversation-link.lock"),
                    r.findings().stream().map(CheckReport.Finding::file).sorted().toList());
            assertTrue(r.findings().stream().allMatch(
                    f -> f.problem() == CheckReport.Problem.NOT_REGULAR_FILE && !f.repaired()));
            s.check(true);
            assertTrue(s.check(false).clean());
            assertEquals(4, s.load("link").orElseThrow().counters().messagesTotal());
            assertFalse(Files.isSymbolicLink(lock), "a lock file of its own again");
        }
    }

    private static long tornEnd(Path segment) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(segment));
        long pos = b.getInt(12);
        while (b.getInt((int) pos) != 0) {
            pos += 8 + b.getInt((int) pos);
        }
        return pos;
    }

    private static boolean containsText(Path dir, String text) throws IOException {
        if (!Files.exists(dir)) {
            return false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (new String(Files.readAllBytes(f), java.nio.charset.StandardCharsets.UTF_8)
                        .contains(text)) {
                    return true;
                }
            }
        }
        return false;
    }
}
