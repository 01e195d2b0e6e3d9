package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CorruptStateException.Reason;
import dev.palimpsest.persist.ModelGenerator;
import dev.palimpsest.testkit.Seeds;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StateFileCodecTest {
    private final StateFileCodec codec = new StateFileCodec(64L * 1024 * 1024);

    @Test
    void modelToJsonToModelIsIdentity() {
        Seeds.run("model to JSON to model", random -> {
            ModelGenerator gen = new ModelGenerator(random);
            for (int i = 0; i < 600; i++) {
                Conversation c = gen.conversation(gen.id()).withRevision(random.nextInt(1000));
                byte[] json = codec.encodeState(c);
                Conversation back = decode(json);
                assertEquals(c, back, "case " + i);
                // And JSON to model to JSON is identity too: one canonical encoding.
                assertArrayEquals(json, codec.encodeState(back), "re-encoding of case " + i);
                for (Round r : c.recentRounds()) {
                    byte[] line = codec.encodeArchiveLine(r);
                    assertEquals('\n', line[line.length - 1]);
                    for (int b = 0; b < line.length - 1; b++) {
                        assertTrue(line[b] != '\n', "a newline inside an archive line");
                    }
                    assertEquals(r, decodeLine(line));
                }
            }
        });
    }

    @Test
    void encodingFromThePreviousEncodingGivesTheSameBytesAsEncodingAfresh() {
        Seeds.run("incremental encoding", random -> {
            ModelGenerator gen = new ModelGenerator(random);
            for (int chain = 0; chain < 40; chain++) {
                Conversation c = gen.conversation(gen.id());
                EncodedState previous = null;
                for (int step = 0; step < 30; step++) {
                    c = nextState(gen, random, c);
                    EncodedState encoded = codec.encode(c, previous);
                    String what = "chain " + chain + " step " + step;
                    assertArrayEquals(codec.encodeState(c), encoded.array(), what);
                    assertEquals(c, decode(encoded.array()), what);
                    assertSpansHoldTheirParts(encoded, what);
                    previous = encoded;
                }
            }
        });
    }

    @Test
    void aRoundOrContextThatOnlySharesItsSequenceNumberIsEncodedAgain() {
        Instant t = Instant.parse("2026-11-25T10:00:00Z");
        Conversation first = new Conversation("s", 1, t, "old summary",
                List.of(new Round(5, "u", "a", t), new Round(6, "u2", "a2", t)),
                new Counters(6, 1, 4, 0, 0, 0, Optional.of(t)));
        Conversation second = new Conversation("s", 2, t, "new summary",
                List.of(new Round(5, "u", "a", t), new Round(6, "other", "a2", t,
                        Map.of("k", "v"))),
                new Counters(6, 1, 4, 0, 0, 0, Optional.of(t)));
        EncodedState encoded = codec.encode(second, codec.encode(first, null));
        assertArrayEquals(codec.encodeState(second), encoded.array());
        assertEquals(second, decode(encoded.array()));
    }

    /** A random next state: rounds appended, compacted, replaced; counters and times changed. */
    private static Conversation nextState(ModelGenerator gen, java.util.Random random,
                                          Conversation c) {
        List<Round> rounds = new java.util.ArrayList<>(c.recentRounds());
        Counters k = c.counters();
        long compacted = k.compactedRounds();
        long compactions = k.compactions();
        Optional<Instant> lastCompacted = k.lastCompactedAt();
        String context = c.compressedContext();
        switch (random.nextInt(6)) {
            case 0, 1 -> {
                for (int n = 1 + random.nextInt(2); n > 0; n--) {
                    rounds.add(gen.round(compacted + rounds.size() + 1));
                }
            }
            case 2 -> {
                int fold = rounds.isEmpty() ? 0 : 1 + random.nextInt(rounds.size());
                if (fold > 0) {
                    rounds.subList(0, fold).clear();
                    compacted += fold;
                    compactions++;
                    lastCompacted = Optional.of(gen.instant());
                    context = gen.text(300);
                }
            }
            case 3 -> {
                if (!rounds.isEmpty()) {
                    int i = random.nextInt(rounds.size());
                    Round r = rounds.get(i);
                    // An equal copy (reused) or other texts under the same number (not reused).
                    rounds.set(i, random.nextBoolean()
                            ? new Round(r.seq(), new String(r.user()), r.assistant(),
                                    r.createdAt(), r.metadata())
                            : gen.round(r.seq()));
                }
            }
            case 4 -> context = random.nextBoolean() ? new String(context) : gen.text(300);
            default -> {
                // Only the header changes.
            }
        }
        Counters counters = new Counters(compacted + rounds.size(), compactions, compacted,
                k.compactionFailures(), random.nextInt(5000), random.nextInt(5000),
                lastCompacted);
        return new Conversation(c.convId(), c.revision() + 1, gen.instant(), context, rounds,
                counters);
    }

    private void assertSpansHoldTheirParts(EncodedState encoded, String what) {
        byte[] bytes = encoded.array();
        List<Round> rounds = encoded.state().recentRounds();
        for (int i = 0; i < rounds.size(); i++) {
            byte[] line = codec.encodeArchiveLine(rounds.get(i));
            assertArrayEquals(java.util.Arrays.copyOf(line, line.length - 1),
                    java.util.Arrays.copyOfRange(bytes, encoded.roundFrom(i), encoded.roundTo(i)),
                    what + ", round " + i);
        }
        String context = new String(bytes, encoded.contextFrom(), encoded.contextTo()
                - encoded.contextFrom(), StandardCharsets.UTF_8);
        assertTrue(context.startsWith("\"") && context.endsWith("\""), what + ": " + context);
    }

    @Test
    void instantsAtTheEdgesOfTheModelRoundTrip() {
        for (Instant t : List.of(Instant.MIN, Instant.MAX, Instant.EPOCH,
                Instant.parse("2026-11-25T10:15:30Z"), Instant.ofEpochSecond(-1, 1))) {
            Conversation c = new Conversation("t", 3, t, "", List.of(new Round(1, "", "", t)),
                    new Counters(1, 0, 0, 0, 0, 0, Optional.empty()));
            assertEquals(c, decode(codec.encodeState(c)), t.toString());
        }
    }

    @Test
    void readersAcceptAnyFieldOrder() throws Exception {
        String json = "{\"recent_rounds\":[],\"compressed_context\":\"\",\"counters\":{"
                + "\"last_compacted_at\":null,\"recent_tokens\":0,\"context_tokens\":0,"
                + "\"compaction_failures\":0,\"compacted_rounds\":0,\"compactions\":0,"
                + "\"rounds_total\":0},\"updated_at\":\"2026-01-01T00:00:00Z\",\"revision\":4,"
                + "\"conv_id\":\"x\",\"schema_version\":1}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        assertEquals(new Conversation("x", 4, Instant.parse("2026-01-01T00:00:00Z"), "",
                List.of(), Counters.ZERO), decode(bytes));
        StateFileCodec.Header header = codec.readHeader(new ByteArrayInputStream(bytes),
                StateFileCodec.HeaderScope.SUMMARY);
        assertEquals("x", header.convId());
        assertEquals(4, header.revision());
        assertEquals(Optional.of(Counters.ZERO), header.counters());
        assertEquals(Optional.of(Instant.parse("2026-01-01T00:00:00Z")), header.updatedAt());
    }

    @Test
    void theHeaderIsReadWithoutTheRestOfTheFile() throws Exception {
        Conversation c = new ModelGenerator(new java.util.Random(1)).conversation("h");
        byte[] json = codec.encodeState(c.withRevision(9));
        // Cut the file right after the counters: a header read never gets that far.
        String text = new String(json, StandardCharsets.UTF_8);
        int cut = text.indexOf(",\"compressed_context\"");
        byte[] head = text.substring(0, cut).getBytes(StandardCharsets.UTF_8);
        StateFileCodec.Header header = codec.readHeader(new ByteArrayInputStream(head),
                StateFileCodec.HeaderScope.SUMMARY);
        assertEquals(9, header.revision());
        assertEquals(Optional.of(c.counters()), header.counters());
    }

    @Test
    void wrongJsonTypesAreRejectedNotCoerced() {
        String valid = new String(codec.encodeState(
                Conversation.empty("w").withRoundAppended(
                        new Round(1, "u", "a", Instant.EPOCH, Map.of("k", "v")), Instant.EPOCH)
                        .withRevision(1)), StandardCharsets.UTF_8);
        String[][] swaps = {
            {"\"revision\":1", "\"revision\":\"1\""},
            {"\"revision\":1", "\"revision\":1.0"},
            {"\"revision\":1", "\"revision\":true"},
            {"\"conv_id\":\"w\"", "\"conv_id\":7"},
            {"\"user\":\"u\"", "\"user\":12"},
            {"\"user\":\"u\"", "\"user\":false"},
            {"\"seq\":1", "\"seq\":\"1\""},
            {"\"rounds_total\":1", "\"rounds_total\":1e0"},
            {"\"k\":\"v\"", "\"k\":1"},
            {"\"k\":\"v\"", "\"k\":null"},
            {"\"metadata\":{\"k\":\"v\"}", "\"metadata\":[]"},
            {"\"recent_rounds\":[", "\"recent_rounds\":[null,"},
            {"\"schema_version\":1", "\"schema_version\":\"1\""},
            {"\"updated_at\":\"1970-01-01T00:00:00Z\"", "\"updated_at\":0"},
        };
        for (String[] swap : swaps) {
            assertTrue(valid.contains(swap[0]), swap[0] + " in " + valid);
            byte[] bad = valid.replace(swap[0], swap[1]).getBytes(StandardCharsets.UTF_8);
            StateFileCodec.FormatException e = assertThrows(StateFileCodec.FormatException.class,
                    () -> codec.decodeState(bad), swap[1]);
            assertEquals(Reason.MALFORMED, e.reason(), swap[1] + ": " + e.getMessage());
        }
    }

    private Conversation decode(byte[] json) {
        try {
            return codec.decodeState(json);
        } catch (StateFileCodec.FormatException e) {
            throw new AssertionError(e.reason() + ": " + e.getMessage(), e);
        }
    }

    private Round decodeLine(byte[] line) {
        try {
            return codec.decodeArchiveLine(line, 0, line.length - 1);
        } catch (StateFileCodec.FormatException e) {
            throw new AssertionError(e.reason() + ": " + e.getMessage(), e);
        }
    }
}
