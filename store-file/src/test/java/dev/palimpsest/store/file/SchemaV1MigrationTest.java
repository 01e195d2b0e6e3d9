package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed schema-1 fixtures load through the file store unchanged by reading, the first
 * write migrates a conversation (log records, a schema-2 checkpoint over the schema-1 file, the
 * archive removed), and a migration killed at any step loads the same transcript.
 */
class SchemaV1MigrationTest {
    /** The schema-1 fixtures, this module's own test resources. */
    private static final String FIXTURES = "/dev/palimpsest/store/file/fixtures/v1";
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path root;

    static Path fixtures() {
        URL url = SchemaV1MigrationTest.class.getResource(FIXTURES);
        assertNotNull(url, "test resource " + FIXTURES + " is missing");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError("bad resource URL " + url, e);
        }
    }

    private void copyFixtures() throws IOException {
        Path sm = Files.createDirectories(root.resolve("sm"));
        try (Stream<Path> files = Files.list(fixtures())) {
            for (Path f : files.toList()) {
                Files.copy(f, sm.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static List<String> texts(List<StoredMessage> messages) {
        return messages.stream().map(m -> m.message().content()).toList();
    }

    @Test
    void changesWithoutAnAppendTakeTheLockAndMakeItsFileForAConversationOfSchemaOne()
            throws IOException {
        copyFixtures();
        Path sm = root.resolve("sm");
        try (FileConversationStore s = FileConversationStore.open(root)) {
            s.recordCompactionFailure("compacted", T);
            assertTrue(Files.isRegularFile(sm.resolve("conversation-compacted.lock")));
            assertTrue(s.delete("basic"));
            assertTrue(Files.isRegularFile(sm.resolve("conversation-basic.lock")));
            // A conversation that is not there gets no lock file.
            assertFalse(s.delete("never-stored"));
            assertFalse(Files.exists(sm.resolve("conversation-never-stored.lock")));
        }
    }

    @Test
    void checkCountsEveryFixtureAndFindsNothingWrong() throws IOException {
        copyFixtures();
        try (FileConversationStore s = FileConversationStore.open(root)) {
            CheckReport report = s.check(false);
            assertTrue(report.clean(), report.toString());
            assertEquals(6, report.conversations());
        }
    }

    @Test
    void everyFixtureLoadsAndReadingChangesNothing() throws IOException {
        copyFixtures();
        Map<String, String> before = TreeSnapshot.of(root, null);
        try (FileConversationStore s = FileConversationStore.open(root)) {
            ConversationState c = s.load("compacted").orElseThrow();
            assertEquals(9, c.counters().roundsTotal());
            assertEquals(18, c.counters().messagesTotal());
            assertEquals(2, c.counters().compactions());
            assertEquals(7, c.counters().compactedRounds());
            assertEquals(1, c.counters().compactionFailures());
            assertEquals("Summary of rounds 1-7: the user planned a trip.",
                    c.compressedContext());
            assertEquals(List.of("Book it.", "Booked.", "Thanks", "You're welcome."),
                    c.recentRounds().stream().flatMap(r -> r.messages().stream())
                            .map(m -> m.message().content()).toList());
            assertEquals(Map.of("tool_call_id", "call_42"),
                    c.recentRounds().get(1).messages().get(0).message().metadata());
            List<StoredMessage> all = s.messages("compacted", 1, 100);
            assertEquals(List.of("u1", "a1", "u2", "a2"), texts(all).subList(0, 4));
            assertEquals(18, all.size());
            assertEquals(2, s.load("basic").orElseThrow().counters().roundsTotal());
            assertTrue(s.load("no-rounds").isPresent());
            assertEquals(1, s.load("team/alpha ü").orElseThrow().counters().roundsTotal());
            ConversationState pretty = s.load("pretty").orElseThrow();
            assertEquals(3, pretty.counters().compactedRounds());
            assertEquals(Optional.of("the schema-1 archive did not hold this round"),
                    Optional.ofNullable(s.messages("pretty", 1, 1).get(0).message().metadata()
                            .get(Legacy.MISSING)));
            assertTrue(s.list(Optional.empty(), 100).ids().containsAll(
                    List.of("basic", "compacted", "no-rounds", "pretty", "team/alpha ü")));
        }
        assertEquals(before, TreeSnapshot.of(root, null), "reading schema 1 changes nothing");
    }

    @Test
    void theFirstWriteMigratesAndTheTranscriptCarriesOn() throws IOException {
        copyFixtures();
        List<StoredMessage> before;
        try (FileConversationStore s = FileConversationStore.open(root)) {
            before = s.messages("compacted", 1, 100);
            s.append(AppendRequest.of("compacted", Expectation.nextRoundSeq(10), T,
                    Message.user("after the upgrade"), Message.assistant("still here")));
        }
        Path sm = root.resolve("sm");
        assertTrue(Files.readString(sm.resolve("conversation-compacted.json"))
                .contains("\"schema_version\" : 2"));
        assertFalse(Files.exists(sm.resolve("conversation-compacted.archive.jsonl")));
        assertTrue(Files.exists(sm.resolve("conversation-compacted.00000001.log")));
        try (FileConversationStore s = FileConversationStore.open(root)) {
            List<StoredMessage> after = s.messages("compacted", 1, 100);
            assertEquals(before, after.subList(0, 18));
            assertEquals(List.of("after the upgrade", "still here"), texts(after.subList(18, 20)));
            ConversationState c = s.load("compacted").orElseThrow();
            assertEquals(2, c.counters().compactions());
            assertEquals(1, c.counters().compactionFailures());
            assertEquals(10, c.counters().roundsTotal());
        }
    }

    @Test
    void aMigrationKilledAtAnyStepLoadsTheSameTranscript() throws IOException {
        copyFixtures();
        Path sm = root.resolve("sm");
        List<StoredMessage> expected;
        try (FileConversationStore s = FileConversationStore.open(root)) {
            expected = s.messages("compacted", 1, 100);
        }
        byte[] v1 = Files.readAllBytes(sm.resolve("conversation-compacted.json"));
        byte[] archive = Files.readAllBytes(sm.resolve("conversation-compacted.archive.jsonl"));
        // Migrate for real, to have the files of each later step.
        try (FileConversationStore s = FileConversationStore.open(root)) {
            s.recordCompactionFailure("compacted", T);
        }
        byte[] log = Files.readAllBytes(sm.resolve("conversation-compacted.00000001.log"));
        // Killed after the log was written, before the checkpoint's rename: schema 1 decides.
        Files.write(sm.resolve("conversation-compacted.json"), v1);
        Files.write(sm.resolve("conversation-compacted.archive.jsonl"), archive);
        try (FileConversationStore s = FileConversationStore.open(root)) {
            assertEquals(expected, s.messages("compacted", 1, 100));
            assertEquals(1, s.load("compacted").orElseThrow().counters().compactionFailures());
        }
        // Killed after the rename, before the archive's removal: the log decides.
        try (FileConversationStore s = FileConversationStore.open(root)) {
            s.recordCompactionFailure("compacted", T);
        }
        Files.write(sm.resolve("conversation-compacted.archive.jsonl"), archive);
        try (FileConversationStore s = FileConversationStore.open(root)) {
            assertEquals(expected, s.messages("compacted", 1, 100));
            assertEquals(2, s.load("compacted").orElseThrow().counters().compactionFailures());
            assertTrue(s.delete("compacted"));
        }
        assertFalse(Files.exists(sm.resolve("conversation-compacted.archive.jsonl")),
                "delete erases the archive too");
        assertEquals(log.length > 0, true);
    }
}
