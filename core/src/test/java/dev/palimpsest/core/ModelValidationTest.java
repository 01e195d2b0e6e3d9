package dev.palimpsest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class ModelValidationTest {
    private static final Instant T = Instant.parse("2026-11-25T10:15:30.123456789Z");

    private static Round round(long seq) {
        return new Round(seq, "u" + seq, "a" + seq, T);
    }

    private static Counters counters(long total, long compacted) {
        return new Counters(total, compacted > 0 ? 1 : 0, compacted, 0, 0, 0,
                compacted > 0 ? Optional.of(T) : Optional.empty());
    }

    private record Case(String name, Supplier<Object> build, String expectedFragment) {
    }

    @TestFactory
    Stream<DynamicTest> everyInvalidValueIsRejectedWithAMessageNamingIt() {
        Map<String, String> nullKey = new HashMap<>();
        nullKey.put(null, "v");
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("model", null);
        List<Round> withNull = new ArrayList<>();
        withNull.add(round(1));
        withNull.add(null);
        List<Case> cases = List.of(
                new Case("seq 0", () -> new Round(0, "u", "a", T), "round seq must be >= 1, was 0"),
                new Case("seq negative", () -> new Round(-5, "u", "a", T), "was -5"),
                new Case("null user", () -> new Round(1, null, "a", T), "user text of round 1"),
                new Case("null assistant", () -> new Round(2, "u", null, T),
                        "assistant text of round 2"),
                new Case("null createdAt", () -> new Round(3, "u", "a", null),
                        "createdAt of round 3"),
                new Case("null metadata", () -> new Round(4, "u", "a", T, null),
                        "metadata of round 4"),
                new Case("null metadata key", () -> new Round(5, "u", "a", T, nullKey),
                        "null key"),
                new Case("null metadata value", () -> new Round(6, "u", "a", T, nullValue),
                        "key 'model' has a null value"),
                new Case("empty metadata key", () -> new Round(6, "u", "a", T, Map.of("", "v")),
                        "empty key"),
                new Case("unpaired high surrogate", () -> new Round(7, "ok\uD83D", "a", T),
                        "unpaired surrogate U+D83D at index 2"),
                new Case("unpaired low surrogate", () -> new Round(7, "u", "\uDE00x", T),
                        "assistant text of round 7 holds an unpaired surrogate U+DE00"),
                new Case("negative roundsTotal",
                        () -> new Counters(-1, 0, 0, 0, 0, 0, Optional.empty()), "roundsTotal"),
                new Case("negative compactions",
                        () -> new Counters(0, -1, 0, 0, 0, 0, Optional.empty()), "compactions"),
                new Case("negative compactedRounds",
                        () -> new Counters(0, 0, -2, 0, 0, 0, Optional.empty()), "compactedRounds"),
                new Case("negative failures",
                        () -> new Counters(0, 0, 0, -3, 0, 0, Optional.empty()),
                        "compactionFailures must be >= 0, was -3"),
                new Case("negative contextTokens",
                        () -> new Counters(0, 0, 0, 0, -4, 0, Optional.empty()), "contextTokens"),
                new Case("negative recentTokens",
                        () -> new Counters(0, 0, 0, 0, 0, -5, Optional.empty()), "recentTokens"),
                new Case("null lastCompactedAt",
                        () -> new Counters(0, 0, 0, 0, 0, 0, null), "lastCompactedAt"),
                new Case("compacted beyond total",
                        () -> new Counters(3, 1, 4, 0, 0, 0, Optional.of(T)), "4 > 3"),
                new Case("more compactions than compacted rounds",
                        () -> new Counters(9, 3, 2, 0, 0, 0, Optional.of(T)), "3 > 2"),
                new Case("compactions without a time",
                        () -> new Counters(9, 1, 2, 0, 0, 0, Optional.empty()),
                        "lastCompactedAt must be present after 1 compactions"),
                new Case("a time without compactions",
                        () -> new Counters(9, 0, 0, 0, 0, 0, Optional.of(T)),
                        "lastCompactedAt must be empty before the first compaction"),
                new Case("null convId", () -> new Conversation(null, 0, T, "", List.of(),
                        Counters.ZERO), "convId must not be null"),
                new Case("empty convId", () -> new Conversation("", 0, T, "", List.of(),
                        Counters.ZERO), "convId must not be empty"),
                new Case("negative revision", () -> new Conversation("c", -1, T, "", List.of(),
                        Counters.ZERO), "revision of 'c' must be >= 0, was -1"),
                new Case("null updatedAt", () -> new Conversation("c", 0, null, "", List.of(),
                        Counters.ZERO), "updatedAt of 'c'"),
                new Case("null context", () -> new Conversation("c", 0, T, null, List.of(),
                        Counters.ZERO), "compressedContext of 'c'"),
                new Case("null rounds", () -> new Conversation("c", 0, T, "", null,
                        Counters.ZERO), "recentRounds of 'c'"),
                new Case("null counters", () -> new Conversation("c", 0, T, "", List.of(),
                        null), "counters of 'c'"),
                new Case("null round in list", () -> new Conversation("c", 0, T, "", withNull,
                        counters(2, 0)), "holds null at index 1"),
                new Case("total contradicts rounds", () -> new Conversation("c", 0, T, "",
                        List.of(round(1)), counters(2, 0)), "2 != 0 + 1"),
                new Case("rounds not starting after compacted", () -> new Conversation("c", 0, T,
                        "", List.of(round(2), round(3)), counters(2, 0)),
                        "expected seq 1, was 2"),
                new Case("rounds not ending at total", () -> new Conversation("c", 0, T, "s",
                        List.of(round(2), round(3)), counters(4, 2)), "expected seq 3, was 2"),
                new Case("gap in rounds", () -> new Conversation("c", 0, T, "",
                        List.of(round(1), round(3)), counters(2, 0)), "expected seq 2, was 3"),
                new Case("duplicate seq", () -> new Conversation("c", 0, T, "",
                        List.of(round(1), round(1)), counters(2, 0)), "expected seq 2, was 1"),
                new Case("decreasing seq", () -> new Conversation("c", 0, T, "",
                        List.of(round(2), round(1)), counters(2, 0)), "expected seq 1, was 2"),
                new Case("unpaired surrogate in id", () -> Conversation.empty("a\uD800"),
                        "convId holds an unpaired surrogate"),
                new Case("append with wrong seq", () -> Conversation.empty("c")
                        .withRoundAppended(round(2), T), "expected 1, was 2"),
                new Case("compaction of no rounds", () -> Counters.ZERO.withCompaction(0, T),
                        "rounds folded by a compaction must be >= 1, was 0"));
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            InvalidModelException e = assertThrows(InvalidModelException.class, c.build()::get);
            assertTrue(e.getMessage().contains(c.expectedFragment()),
                    () -> "message '" + e.getMessage() + "' should contain '"
                            + c.expectedFragment() + "'");
        }));
    }

    @Test
    void collectionsAreCopiedInAndNothingMutableLeaksOut() {
        List<Round> rounds = new ArrayList<>(List.of(round(1)));
        Map<String, String> meta = new HashMap<>(Map.of("model", "m1"));
        Round r = new Round(2, "u", "a", T, meta);
        rounds.add(r);
        Conversation c = new Conversation("c", 0, T, "", rounds, counters(2, 0));
        rounds.clear();
        meta.put("model", "changed");
        assertEquals(2, c.recentRounds().size());
        assertEquals("m1", c.recentRounds().get(1).metadata().get("model"));
        assertThrows(UnsupportedOperationException.class, () -> c.recentRounds().add(round(3)));
        assertThrows(UnsupportedOperationException.class,
                () -> c.recentRounds().get(1).metadata().put("k", "v"));
    }

    @Test
    void emptyConversationIsNeverStoredAndStartsAtSeqOne() {
        Conversation empty = Conversation.empty("abc");
        assertEquals(0, empty.revision());
        assertEquals("", empty.compressedContext());
        assertTrue(empty.recentRounds().isEmpty());
        assertEquals(Counters.ZERO, empty.counters());
        assertEquals(1, empty.nextSeq());
        assertTrue(!empty.isStored());
        Conversation one = empty.withRoundAppended(round(1), T).withRevision(1);
        assertTrue(one.isStored());
        assertEquals(1, one.counters().roundsTotal());
        assertEquals(T, one.updatedAt());
    }

    @Test
    void validValuesAtTheEdgesAreAccepted() {
        String emoji = "\uD83D\uDE00 \u0000\u001f text";
        Round r = new Round(1, emoji, "", Instant.MIN, Map.of("k", ""));
        Conversation c = new Conversation("x", Long.MAX_VALUE, Instant.MAX, emoji,
                List.of(r), counters(1, 0));
        assertEquals(emoji, c.recentRounds().get(0).user());
        Conversation compacted = new Conversation("x", 3, T, "summary", List.of(),
                counters(5, 5));
        assertEquals(6, compacted.nextSeq());
    }
}
