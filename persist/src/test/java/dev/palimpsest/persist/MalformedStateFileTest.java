package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.persist.CorruptStateException.Reason;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Malformed state files: each gets its typed error, the file is left byte-identical, nothing is
 * written anywhere, {@code list} goes on past it, and {@code check} reports it.
 */
class MalformedStateFileTest {
    private static final String ID = "victim";
    private static final long LIMIT = 64 * 1024;

    @TempDir
    Path top;

    /** A valid file of schema 1 whose parts the cases below break one at a time. */
    static String valid() {
        return "{\"schema_version\":1,\"conv_id\":\"victim\",\"revision\":3,"
                + "\"updated_at\":\"2026-11-25T10:15:30Z\",\"counters\":{\"rounds_total\":2,"
                + "\"compactions\":0,\"compacted_rounds\":0,\"compaction_failures\":0,"
                + "\"context_tokens\":0,\"recent_tokens\":9,\"last_compacted_at\":null},"
                + "\"compressed_context\":\"\",\"recent_rounds\":["
                + "{\"seq\":1,\"user\":\"hi ü\",\"assistant\":\"hello\","
                + "\"created_at\":\"2026-11-25T10:15:00Z\",\"metadata\":{\"model\":\"m\"}},"
                + "{\"seq\":2,\"user\":\"u\",\"assistant\":\"a\","
                + "\"created_at\":\"2026-11-25T10:15:30Z\",\"metadata\":{}}]}";
    }

    private static String swap(String from, String to) {
        String v = valid();
        if (!v.contains(from)) {
            throw new IllegalArgumentException(from);
        }
        return v.replace(from, to);
    }

    private record Case(String name, byte[] bytes, Reason reason) {
        Case(String name, String text, Reason reason) {
            this(name, text.getBytes(StandardCharsets.UTF_8), reason);
        }
    }

    static List<Case> cases() {
        byte[] validBytes = valid().getBytes(StandardCharsets.UTF_8);
        List<Case> cases = new ArrayList<>(List.of(
            new Case("empty", "", Reason.MALFORMED),
            new Case("whitespace only", " \n\t ", Reason.MALFORMED),
            new Case("JSON null", "null", Reason.MALFORMED),
            new Case("an array", "[]", Reason.MALFORMED),
            new Case("a string", "\"state\"", Reason.MALFORMED),
            new Case("a number", "1", Reason.MALFORMED),
            new Case("truncated in half", valid().substring(0, valid().length() / 2),
                    Reason.MALFORMED),
            new Case("truncated before the last brace",
                    valid().substring(0, valid().length() - 1), Reason.MALFORMED),
            new Case("truncated after the header", valid().substring(0,
                    valid().indexOf(",\"compressed_context\"")), Reason.MALFORMED),
            new Case("NUL bytes", new String(new char[100]), Reason.MALFORMED),
            new Case("trailing garbage", valid() + "x", Reason.MALFORMED),
            new Case("two objects", valid() + valid(), Reason.MALFORMED),
            new Case("duplicate top-level key", swap("\"revision\":3",
                    "\"revision\":3,\"revision\":4"), Reason.MALFORMED),
            new Case("duplicate counters key", swap("\"compactions\":0",
                    "\"compactions\":0,\"compactions\":0"), Reason.MALFORMED),
            new Case("duplicate metadata key", swap("{\"model\":\"m\"}",
                    "{\"model\":\"m\",\"model\":\"n\"}"), Reason.MALFORMED),
            new Case("deep nesting", swap("\"metadata\":{}",
                    "\"metadata\":" + "{\"k\":".repeat(500) + "{}" + "}".repeat(500)),
                    Reason.MALFORMED),
            new Case("deep array nesting", "[".repeat(5000) + "]".repeat(5000),
                    Reason.MALFORMED),
            new Case("future schema", swap("\"schema_version\":1", "\"schema_version\":2"),
                    Reason.NEWER_SCHEMA),
            new Case("future schema with new fields", swap("\"schema_version\":1",
                    "\"schema_version\":7,\"branches\":[{\"id\":1}]"), Reason.NEWER_SCHEMA),
            new Case("future schema of another shape", "{\"schema_version\":2,\"revision\":"
                    + "\"r-12\"}", Reason.NEWER_SCHEMA),
            new Case("schema version 0", swap("\"schema_version\":1", "\"schema_version\":0"),
                    Reason.MALFORMED),
            new Case("schema version missing", swap("\"schema_version\":1,", ""),
                    Reason.MALFORMED),
            new Case("oversize", swap("\"compressed_context\":\"\"", "\"compressed_context\":\""
                    + "x".repeat((int) LIMIT) + "\""), Reason.TOO_LARGE),
            new Case("revision as a string", swap("\"revision\":3", "\"revision\":\"3\""),
                    Reason.MALFORMED),
            new Case("revision as a fraction", swap("\"revision\":3", "\"revision\":3.5"),
                    Reason.MALFORMED),
            new Case("revision beyond a long", swap("\"revision\":3",
                    "\"revision\":123456789012345678901234567890"), Reason.MALFORMED),
            new Case("revision negative", swap("\"revision\":3", "\"revision\":-1"),
                    Reason.INVALID_CONTENT),
            new Case("conv_id null", swap("\"conv_id\":\"victim\"", "\"conv_id\":null"),
                    Reason.MALFORMED),
            new Case("conv_id empty", swap("\"conv_id\":\"victim\"", "\"conv_id\":\"\""),
                    Reason.INVALID_CONTENT),
            new Case("counters missing", swap("\"counters\":{\"rounds_total\":2,"
                    + "\"compactions\":0,\"compacted_rounds\":0,\"compaction_failures\":0,"
                    + "\"context_tokens\":0,\"recent_tokens\":9,\"last_compacted_at\":null},",
                    ""), Reason.MALFORMED),
            new Case("counters an array", swap("\"counters\":{", "\"counters\":[{")
                    .replace(",\"compressed_context\"", "],\"compressed_context\""),
                    Reason.MALFORMED),
            new Case("rounds_total contradicting the rounds", swap("\"rounds_total\":2",
                    "\"rounds_total\":5"), Reason.INVALID_CONTENT),
            new Case("rounds not contiguous", swap("\"seq\":2", "\"seq\":3")
                    .replace("\"rounds_total\":2", "\"rounds_total\":2"), Reason.INVALID_CONTENT),
            new Case("seq zero", swap("\"seq\":1", "\"seq\":0"), Reason.INVALID_CONTENT),
            new Case("a compaction time without compactions", swap(
                    "\"last_compacted_at\":null", "\"last_compacted_at\":\"2026-01-01T00:00:00Z\""),
                    Reason.INVALID_CONTENT),
            new Case("updated_at not an instant", swap("\"updated_at\":\"2026-11-25T10:15:30Z\"",
                    "\"updated_at\":\"yesterday\""), Reason.INVALID_CONTENT),
            new Case("updated_at as epoch seconds", swap(
                    "\"updated_at\":\"2026-11-25T10:15:30Z\"", "\"updated_at\":1764065730"),
                    Reason.MALFORMED),
            new Case("an unknown field", swap("\"revision\":3", "\"revision\":3,\"extra\":1"),
                    Reason.MALFORMED),
            new Case("a round as null", swap("\"recent_rounds\":[", "\"recent_rounds\":[null,"),
                    Reason.MALFORMED),
            new Case("metadata value null", swap("{\"model\":\"m\"}", "{\"model\":null}"),
                    Reason.MALFORMED),
            new Case("metadata empty key", swap("{\"model\":\"m\"}", "{\"\":\"m\"}"),
                    Reason.INVALID_CONTENT),
            new Case("an unpaired surrogate escape", swap("\"user\":\"u\"",
                    "\"user\":\"\\ud800\""), Reason.INVALID_CONTENT),
            new Case("a raw newline inside a string", swap("\"user\":\"u\"",
                    "\"user\":\"line\nbreak\""), Reason.MALFORMED),
            new Case("a comment", "/* hi */" + valid(), Reason.MALFORMED),
            new Case("single quotes", valid().replace('"', '\''), Reason.MALFORMED),
            new Case("NaN", swap("\"revision\":3", "\"revision\":NaN"), Reason.MALFORMED),
            new Case("a boolean user text", swap("\"user\":\"u\"", "\"user\":true"),
                    Reason.MALFORMED)));
        byte[] invalidUtf8 = validBytes.clone();
        int at = valid().indexOf("hi ü") + 3;
        invalidUtf8[at] = (byte) 0xC3;
        invalidUtf8[at + 1] = (byte) 0x28;
        cases.add(new Case("invalid UTF-8", invalidUtf8, Reason.MALFORMED));
        byte[] overlong = swap("\"user\":\"u\"", "\"user\":\"/\"").getBytes(
                StandardCharsets.UTF_8);
        int slash = valid().indexOf("\"user\":\"u\"") + 8;
        byte[] withOverlong = new byte[overlong.length + 1];
        System.arraycopy(overlong, 0, withOverlong, 0, slash);
        withOverlong[slash] = (byte) 0xC0;
        withOverlong[slash + 1] = (byte) 0xAF;
        System.arraycopy(overlong, slash + 1, withOverlong, slash + 2, overlong.length - slash - 1);
        cases.add(new Case("overlong UTF-8", withOverlong, Reason.MALFORMED));
        byte[] random = new byte[3000];
        new java.util.Random(3).nextBytes(random);
        cases.add(new Case("random bytes", random, Reason.MALFORMED));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> eachMalformedFileGetsItsTypedErrorAndStaysUntouched() {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 30, cases.size() + " cases");
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            Path dir = Files.createTempDirectory(top, "case");
            Path root = dir.resolve("root");
            Files.writeString(dir.resolve("canary"), "outside");
            try (ConversationStore store = ConversationStore.open(
                    StoreOptions.builder(root).maxStateBytes(LIMIT).build())) {
                store.save(Conversation.empty("neighbour").withRoundAppended(
                        ConversationStoreTest.round(1), ConversationStoreTest.round(1)
                                .createdAt()));
                Path file = store.stateFile(ID);
                Files.write(file, c.bytes());
                Map<String, String> before = withoutLocks(TreeSnapshot.of(dir, null));
                CorruptStateException e = assertThrows(CorruptStateException.class,
                        () -> store.load(ID));
                assertEquals(c.reason(), e.reason(), e.getMessage());
                assertEquals(file, e.file());
                assertEquals(java.util.Optional.of(ID), e.convId());
                assertTrue(e.getMessage().startsWith("unreadable state file " + file + ": "),
                        e.getMessage());
                // Every write that would replace or remove the file reads all of it first, so
                // none destroys what check(true) would quarantine, even when only the body is
                // broken. Revision 3 is the one the intact header holds.
                assertThrows(CorruptStateException.class, () -> store.update(ID, x -> x));
                assertThrows(CorruptStateException.class,
                        () -> store.save(Conversation.empty(ID).withRevision(3)));
                assertThrows(CorruptStateException.class, () -> store.delete(ID));
                // list reads headers only: it goes on past the file (and lists it if just its
                // body is broken; load and check tell the truth about it).
                assertTrue(store.list().stream().map(ConversationSummary::convId).toList()
                        .contains("neighbour"));
                CheckReport report = store.check(false);
                assertEquals(1, report.findings().size());
                assertEquals(file, report.findings().get(0).file());
                assertArrayEquals(c.bytes(), Files.readAllBytes(file));
                assertEquals(before, withoutLocks(TreeSnapshot.of(dir, null)));
            }
        }));
    }

    /** Lock files are the store's own, created on first use and never deleted. */
    private static Map<String, String> withoutLocks(Map<String, String> snapshot) {
        snapshot.keySet().removeIf(name -> name.endsWith(".lock"));
        return snapshot;
    }

    @Test
    void aFileHoldingAnotherIdIsACollisionAndStaysUntouched() throws IOException {
        Path root = top.resolve("root");
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(Conversation.empty("neighbour").withRoundAppended(
                    ConversationStoreTest.round(1), ConversationStoreTest.round(1).createdAt()));
            byte[] other = valid().replace("\"conv_id\":\"victim\"", "\"conv_id\":\"other\"")
                    .getBytes(StandardCharsets.UTF_8);
            Files.write(store.stateFile(ID), other);
            IdCollisionException e = assertThrows(IdCollisionException.class,
                    () -> store.load(ID));
            assertEquals("other", e.storedId());
            assertArrayEquals(other, Files.readAllBytes(store.stateFile(ID)));
            assertEquals(1, store.check(false).findings().size());
        }
    }

    @Test
    void theValidBaseOfTheCasesLoads() throws IOException {
        try (ConversationStore store = ConversationStore.open(top)) {
            store.save(Conversation.empty("neighbour").withRoundAppended(
                    ConversationStoreTest.round(1), ConversationStoreTest.round(1).createdAt()));
            Files.writeString(store.stateFile(ID), valid());
            Conversation c = store.load(ID);
            assertEquals(3, c.revision());
            assertEquals(2, c.recentRounds().size());
            assertEquals("hi ü", c.recentRounds().get(0).user());
        }
    }

    @Test
    void aSaveOrDeleteOverAStoredFileWithADamagedBodyIsRefusedAndTheFileStaysUntouched()
            throws IOException {
        Path root = top.resolve("root");
        try (ConversationStore store = ConversationStore.open(root)) {
            Conversation read = store.save(ConversationStoreTest.withRounds(
                    Conversation.empty(ID), 40));
            Path file = store.stateFile(ID);
            byte[] whole = Files.readAllBytes(file);
            // A lost tail: the header (written first) is intact, the rounds are not.
            byte[] damaged = java.util.Arrays.copyOf(whole, whole.length * 2 / 3);
            Files.write(file, damaged);

            CorruptStateException onSave = assertThrows(CorruptStateException.class,
                    () -> store.save(plusRound(read)));
            assertEquals(Reason.MALFORMED, onSave.reason());
            assertEquals(file, onSave.file());
            assertThrows(CorruptStateException.class, () -> store.delete(ID));
            assertArrayEquals(damaged, Files.readAllBytes(file));

            // The evidence is still there for check to quarantine; then the id starts empty.
            CheckReport report = store.check(true);
            assertEquals(CheckReport.Action.QUARANTINED, report.findings().get(0).action());
            assertArrayEquals(damaged,
                    Files.readAllBytes(report.findings().get(0).movedTo().orElseThrow()));
            assertEquals(1, store.save(plusRound(Conversation.empty(ID))).revision());
        }
    }

    private static Conversation plusRound(Conversation c) {
        return c.withRoundAppended(ConversationStoreTest.round(c.nextSeq()),
                ConversationStoreTest.round(c.nextSeq()).createdAt());
    }
}
