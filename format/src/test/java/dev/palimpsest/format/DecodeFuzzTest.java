package dev.palimpsest.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;

/**
 * For any bytes, decoding a log record or a checkpoint either returns a value that encodes back
 * to an equal value or fails with {@code CORRUPT}; nothing else escapes, nothing hangs.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/format/DecodeFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes for real (docs/testing.md).
 */
class DecodeFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void anyBytesDecodeOrAreCorrupt(byte[] bytes) {
        try {
            LogRecord r = FormatCodec.decodeRecord(bytes, 0, bytes.length);
            byte[] again = FormatCodec.encodeRecord(r);
            assertEquals(r, FormatCodec.decodeRecord(again, 0, again.length));
        } catch (PalimpsestException e) {
            assertEquals(FailureKind.CORRUPT, e.kind(), e.getMessage());
        }
        try {
            Checkpoint c = FormatCodec.decodeCheckpoint(bytes);
            assertEquals(c, FormatCodec.decodeCheckpoint(FormatCodec.encodeCheckpoint(c)));
        } catch (PalimpsestException e) {
            assertEquals(FailureKind.CORRUPT, e.kind(), e.getMessage());
        }
    }
}
