package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.ConversationSummary;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed files of schema version 1 (in {@code src/test/resources/.../fixtures/v1/}) keep
 * loading, to exactly the values they were written from. A fixture must never be edited: add a
 * new one instead, and a folder for every new schema version.
 */
class SchemaV1FixturesTest {
    private static final String LONG_ID = "long-" + "x".repeat(200);

    @TempDir
    Path root;
    private ConversationStore store;

    static Path fixtures() throws URISyntaxException {
        URL url = SchemaV1FixturesTest.class.getResource("/dev/palimpsest/persist/fixtures/v1");
        if (url != null) {
            return Path.of(url.toURI());
        }
        return Path.of(System.getProperty("user.dir"),
                "src/test/resources/dev/palimpsest/persist/fixtures/v1");
    }

    @BeforeEach
    void copyFixturesIntoAStore() throws IOException, URISyntaxException {
        Path sm = Files.createDirectories(root.resolve("sm"));
        try (Stream<Path> files = Files.list(fixtures())) {
            for (Path f : files.toList()) {
                Files.copy(f, sm.resolve(f.getFileName().toString()));
            }
        }
        store = ConversationStore.open(root);
    }

    private static Instant t(String iso) {
        return Instant.parse(iso);
    }

    static Map<String, Conversation> expected() {
        return Map.of(
            "basic", new Conversation("basic", 4, t("2026-11-25T10:15:30.123456789Z"), "",
                List.of(new Round(1, "What is a palimpsest?",
                        "A manuscript written over an erased older text.",
                        t("2026-11-25T10:15:00Z"), Map.of("model", "gpt-x", "tokens", "12")),
                    new Round(2, "And here?", "Old rounds are folded into a summary; the "
                        + "originals go to an archive.", t("2026-11-25T10:15:30.123456789Z"))),
                new Counters(2, 0, 0, 0, 0, 14, Optional.empty())),
            "compacted", new Conversation("compacted", 12, t("2026-11-25T11:00:00Z"),
                "Summary of rounds 1-7: the user planned a trip.",
                List.of(new Round(8, "Book it.", "Booked.", t("2026-11-25T10:59:00Z")),
                    new Round(9, "Thanks", "You're welcome.", t("2026-11-25T11:00:00Z"),
                        Map.of("tool_call_id", "call_42"))),
                new Counters(9, 2, 7, 1, 40, 22, Optional.of(t("2026-11-25T10:59:59.5Z")))),
            "no-rounds", new Conversation("no-rounds", 1, t("2026-11-25T09:00:00Z"), "",
                List.of(), Counters.ZERO),
            "team/alpha ü", new Conversation("team/alpha ü", 2, t("2026-11-25T12:00:00Z"), "",
                List.of(new Round(1, "emoji 😀👨‍👩‍👧, NUL \0, tab\t, newline\n, quote \", "
                        + "backslash \\, slash /", "line sep \u2028 para sep \u2029, BOM \ufeff, "
                        + "RTL \u202e, 日本語", t("2026-11-25T12:00:00Z"), Map.of("ü", "é"))),
                new Counters(1, 0, 0, 0, 0, 0, Optional.empty())),
            LONG_ID, new Conversation(LONG_ID, 1, t("2026-11-25T13:00:00Z"), "",
                List.of(new Round(1, "u", "a", t("2026-11-25T13:00:00Z"))),
                new Counters(1, 0, 0, 0, 0, 0, Optional.empty())),
            "pretty", new Conversation("pretty", 5, t("2026-11-25T14:00:00Z"), "earlier",
                List.of(new Round(4, "u", "a", t("2026-11-25T14:00:00Z"))),
                new Counters(4, 1, 3, 0, 2, 1, Optional.of(t("2026-11-25T13:59:00Z")))));
    }

    @Test
    void everyFixtureLoadsToTheValuesItWasWrittenFrom() {
        for (Map.Entry<String, Conversation> e : expected().entrySet()) {
            assertEquals(e.getValue(), store.load(e.getKey()), e.getKey());
        }
        assertEquals(expected().keySet().stream().sorted().toList(),
                store.list().stream().map(ConversationSummary::convId).toList());
        assertTrue(store.check(false).isClean(), () -> store.check(false).toString());
    }

    @Test
    void theFileNamesAreTheOnesTheIdsMapTo() throws URISyntaxException {
        for (String id : expected().keySet()) {
            assertTrue(Files.isRegularFile(fixtures().resolve(
                    store.stateFile(id).getFileName().toString())), id);
        }
    }

    @Test
    void theCompactWritersFormIsReproducedByteForByte() throws Exception {
        StateFileCodec codec = new StateFileCodec(64L * 1024 * 1024);
        for (String id : List.of("basic", "compacted", "no-rounds", "team/alpha ü", LONG_ID)) {
            byte[] file = Files.readAllBytes(fixtures().resolve(
                    store.stateFile(id).getFileName().toString()));
            assertArrayEquals(file, codec.encodeState(store.load(id)), id);
        }
    }

    @Test
    void theArchiveFixtureReadsItsWholeLinesAndSkipsTheTornOne() {
        try (Stream<Round> rounds = store.archive("compacted")) {
            List<Round> archived = rounds.toList();
            assertEquals(7, archived.size());
            for (int i = 0; i < 7; i++) {
                assertEquals(new Round(i + 1, "u" + (i + 1), "a" + (i + 1),
                        t(String.format("2026-11-25T10:%02d:00Z", i + 1))), archived.get(i));
            }
        }
        store.appendArchive("compacted", List.of(new Round(8, "u8", "a8",
                t("2026-11-25T10:08:00Z"))));
        try (Stream<Round> rounds = store.archive("compacted")) {
            assertEquals(8, rounds.count());
        }
    }

    @Test
    void aFixtureUpdatesToTheNextRevision() {
        Conversation next = store.update("compacted", c -> c.withRoundAppended(
                new Round(10, "more", "sure", t("2026-11-25T11:01:00Z")),
                t("2026-11-25T11:01:00Z")));
        assertEquals(13, next.revision());
        assertEquals(next, store.load("compacted"));
    }
}
