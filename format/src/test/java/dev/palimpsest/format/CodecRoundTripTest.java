package dev.palimpsest.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecRoundTripTest {

    @Test
    void generatedCheckpointsAndRecordsRoundTripExactly() {
        Seeds.run("format round trip", r -> {
            int messages = 0;
            for (int i = 0; i < 300; i++) {
                ConversationState s = Samples.state(r);
                Checkpoint c = new Checkpoint(s, 1 + r.nextInt(3), r.nextInt(1 << 20));
                byte[] bytes = FormatCodec.encodeCheckpoint(c);
                assertEquals(c, FormatCodec.decodeCheckpoint(bytes));
                assertArrayEquals(bytes, FormatCodec.encodeCheckpoint(
                        FormatCodec.decodeCheckpoint(bytes)), "encoding is deterministic");
                assertEquals(2, FormatCodec.schemaVersion(bytes));
                try {
                    assertEquals(c, FormatCodec.decodeCheckpoint(
                            new java.io.ByteArrayInputStream(bytes)), "streamed as from bytes");
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
                CheckpointHead head = FormatCodec.decodeCheckpointHead(bytes,
                        Math.min(bytes.length, 16 * 1024)).orElseThrow();
                assertEquals(new CheckpointHead(s.convId(), s.revision(), s.updatedAt(),
                        s.counters(), c.logSegment(), c.logOffset()), head);
                assertTrue(FormatCodec.decodeCheckpointHead(bytes, 40).isEmpty(),
                        "a prefix that ends in the head gives none");
                List<StoredMessage> all = new ArrayList<>();
                for (Round round : s.recentRounds()) {
                    all.addAll(round.messages());
                }
                messages += all.size();
                for (StoredMessage m : all) {
                    String json = new String(FormatCodec.encodeMessage(m, false),
                            StandardCharsets.UTF_8);
                    assertEquals(m, FormatCodec.decodeMessage(json), "one message alone");
                }
                if (!all.isEmpty()) {
                    LogRecord a = new LogRecord.Append(s.revision() + 1, s.updatedAt(), all);
                    byte[] p = FormatCodec.encodeRecord(a);
                    assertEquals(a, FormatCodec.decodeRecord(p, 0, p.length));
                    assertTrue(new String(p, StandardCharsets.UTF_8).indexOf('\n') < 0,
                            "a record payload is one line");
                }
            }
            System.out.println("format round trip: 300 states, " + messages + " messages");
        });
        LogRecord c = new LogRecord.Compaction(4, Instant.EPOCH, 2, "ctx", 3);
        byte[] p = FormatCodec.encodeRecord(c);
        assertEquals(c, FormatCodec.decodeRecord(p, 0, p.length));
        LogRecord f = new LogRecord.CompactionFailure(5, Instant.EPOCH);
        p = FormatCodec.encodeRecord(f);
        assertEquals(f, FormatCodec.decodeRecord(p, 0, p.length));
    }

    @Test
    void aMessageAloneIsReadAsStrictlyAsInARecord() {
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> FormatCodec.decodeMessage("{\"seq\":1,\"round\":1,\"created_at\":"
                        + "\"1970-01-01T00:00:00Z\",\"tokens\":0,\"role\":\"user\",\"content\":"
                        + "\"x\",\"extra\":1}"));
        assertEquals(FailureKind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains("extra"), e.getMessage());
        assertEquals(FailureKind.CORRUPT, assertThrows(PalimpsestException.class,
                () -> FormatCodec.decodeMessage("{\"seq\":1} trailing")).kind());
    }

    @Test
    void aStateEncodesLikeItsCheckpointWithoutTheLogPosition() {
        Seeds.run("format state", r -> {
            for (int i = 0; i < 50; i++) {
                ConversationState s = Samples.state(r);
                String state = new String(FormatCodec.encodeState(s), StandardCharsets.UTF_8);
                java.io.ByteArrayOutputStream streamed = new java.io.ByteArrayOutputStream();
                try {
                    FormatCodec.writeState(s, streamed);
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
                assertEquals(state, streamed.toString(StandardCharsets.UTF_8), "as streamed");
                String checkpoint = new String(FormatCodec.encodeCheckpoint(
                        new Checkpoint(s, 1, 0)), StandardCharsets.UTF_8);
                assertTrue(!state.contains("\"log\""), "no log position: " + state);
                assertTrue(state.contains("\n  \"conv_id\""), "pretty-printed: " + state);
                assertEquals(checkpoint.replaceFirst(
                        "\n  \"log\" : \\{[^}]*\\},", ""), state);
                for (Round round : s.recentRounds()) {
                    String one = new String(FormatCodec.encodeRound(round, false),
                            StandardCharsets.UTF_8);
                    assertTrue(one.startsWith("{\"seq\":" + round.seq() + ",\"messages\":["),
                            one);
                    assertTrue(one.indexOf('\n') < 0, "compact form is one line: " + one);
                }
            }
        });
    }

    private static void corrupt(String json, String mentions) {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> FormatCodec.decodeRecord(b, 0, b.length));
        assertEquals(FailureKind.CORRUPT, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }

    @Test
    void hostileRecordsAreCorruptAndNameWhatFailed() {
        String msg = "{\"seq\":1,\"round\":1,\"created_at\":\"1970-01-01T00:00:00Z\",\"tokens\":0,"
                + "\"role\":\"user\",\"content\":\"x\"}";
        corrupt("", "ends early");
        corrupt("[]", "must be an object");
        corrupt("{\"revision\":1}", "must start with field 'type'");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\"}",
                "missing field 'messages'");
        corrupt("{\"type\":\"append\",\"revision\":1,\"revision\":2}", "Duplicate field");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"yesterday\",\"messages\":[]}",
                "ISO-8601");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\","
                + "\"messages\":[" + msg.replace("user", "robot") + "]}", "messages[0].role");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\","
                + "\"messages\":[" + msg.replace("\"tokens\":0", "\"tokens\":-1") + "]}",
                "messages[0].tokens");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\","
                + "\"messages\":[" + msg + "],\"extra\":1}", "unknown field 'extra'");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\","
                + "\"messages\":[" + msg + "]} {}", "trailing data");
        corrupt("{\"type\":\"append\",\"revision\":99999999999999999999}", "out of range");
        corrupt("{\"type\":\"teleport\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\"}",
                "unknown record type");
        corrupt("{\"type\":\"append\",\"revision\":1,\"at\":\"1970-01-01T00:00:00Z\","
                + "\"messages\":[" + msg.replace("\"x\"", "\"\\ud800\"") + "]}",
                "unpaired surrogate");
        corrupt("{\"type\":\"append\",\"messages\":" + "[".repeat(40), "messages[0]: must be an object");
    }

    @Test
    void aNewerSchemaIsRefusedWithAnUpgradeHint() {
        byte[] b = "{\"schema_version\":3}".getBytes(StandardCharsets.UTF_8);
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> FormatCodec.decodeCheckpoint(b));
        assertEquals(FailureKind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains("upgrade"), e.getMessage());
        assertEquals(3, FormatCodec.schemaVersion(b));
    }
}
