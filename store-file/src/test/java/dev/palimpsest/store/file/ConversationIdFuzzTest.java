package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any string, {@link ConversationIdCodec} rejects the id with {@code INVALID_INPUT} or maps
 * it to a stem whose every file (log segments, checkpoint, index, lock, temp files) is named
 * directly under {@code <root>/sm/} in under 255 bytes of printable ASCII; distinct ids never
 * share a stem; the file names give the stem back; an unhashed stem decodes to the id.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/store/file/ConversationIdFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} Jazzer fuzzes for the time given.
 */
class ConversationIdFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    // Only names are computed: nothing is ever created below this root.
    private static final Path SM = Path.of(System.getProperty("java.io.tmpdir"),
            "id-fuzz-root-never-created", "sm").toAbsolutePath();
    /** Stems seen across inputs, bounded so that long fuzzing does not exhaust memory. */
    private static final Map<String, String> SEEN = new HashMap<>();

    @FuzzTest(maxDuration = "30s")
    void anyStringIsRejectedOrNamesOneFileDirectlyInSm(FuzzedDataProvider data) {
        RUNS.incrementAndGet();
        String a = data.consumeString(1200);
        String b = data.consumeRemainingAsString();
        Optional<String> stemA = check(a);
        Optional<String> stemB = check(b);
        if (stemA.isPresent() && stemB.isPresent() && !a.equals(b)) {
            assertNotEquals(stemA.get(), stemB.get(), "'" + a + "' and '" + b + "'");
        }
    }

    private static Optional<String> check(String id) {
        String stem;
        try {
            stem = ConversationIdCodec.stem(id);
        } catch (PalimpsestException e) {
            assertEquals(FailureKind.INVALID_INPUT, e.kind(), e.getMessage());
            int utf8 = utf8Length(id);
            assertTrue(id.isEmpty() || utf8 < 0 || utf8 > ConversationIdCodec.MAX_ID_BYTES,
                    "rejected a valid id '" + id + "': " + e.getMessage());
            return Optional.empty();
        }
        assertTrue(!id.isEmpty() && utf8Length(id) >= 0
                && utf8Length(id) <= ConversationIdCodec.MAX_ID_BYTES, "accepted '" + id + "'");
        List<String> names = List.of(ConversationIdCodec.stateName(stem),
                ConversationIdCodec.segmentName(stem, 1),
                ConversationIdCodec.segmentName(stem, 99_999_999),
                ConversationIdCodec.indexName(stem), ConversationIdCodec.lockName(stem),
                ConversationIdCodec.archiveName(stem),
                ConversationIdCodec.tempName(stem, Long.MIN_VALUE));
        for (String name : names) {
            Path file = SM.resolve(name);
            assertEquals(SM, file.getParent(), name);
            assertEquals(file, file.normalize(), name);
            assertEquals(name, file.getFileName().toString());
            assertTrue(name.getBytes(StandardCharsets.UTF_8).length < 255, name);
            assertTrue(name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/'
                    && c != '\\'), name);
        }
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfStateName(names.get(0)));
        assertEquals(Optional.of(Map.entry(stem, 1L)),
                ConversationIdCodec.stemAndSegmentOf(names.get(1)));
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfLockName(names.get(4)));
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfArchiveName(names.get(5)));
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfTempName(names.get(6)));
        if (stem.contains("~")) {
            assertEquals(Optional.empty(), ConversationIdCodec.decode(stem));
        } else {
            assertEquals(Optional.of(id), ConversationIdCodec.decode(stem));
        }
        synchronized (SEEN) {
            String before = SEEN.get(stem);
            assertTrue(before == null || before.equals(id),
                    "'" + id + "' and '" + before + "' share stem " + stem);
            if (SEEN.size() < 100_000) {
                SEEN.put(stem, id);
            }
        }
        return Optional.of(stem);
    }

    /** The UTF-8 length of a string, or -1 if it holds an unpaired surrogate. */
    private static int utf8Length(String s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                return -1;
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        return bytes;
    }

    /** Jazzer runs one empty input when the seed folder is missing; fail instead of passing. */
    @AfterAll
    static void seedCorpusWasReplayed() {
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(RUNS.get() > 1, "the committed seed corpus was not replayed (runs: "
                    + RUNS.get() + ")");
        }
    }
}
