package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.InvalidIdException;
import dev.palimpsest.persist.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any string, the id is rejected or maps to one file directly under {@code <root>/sm/}, every
 * name derived from it is under 255 bytes, distinct ids never share a stem, and an unhashed stem
 * decodes back to the id.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/persist/internal/ConversationIdFuzzTestInputs/}.
 */
class ConversationIdFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    // Only names are computed: nothing is ever created below this root.
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"),
            "id-fuzz-root-never-created").toAbsolutePath();
    private static final Path SM = ROOT.resolve("sm");
    /** Computes paths only; its root does not exist, so opening it touches nothing. */
    private static final ConversationStore STORE = new FileConversationStore(
            StoreOptions.builder(ROOT).build(), NioFileOps.INSTANCE);
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
        } catch (InvalidIdException e) {
            int utf8 = utf8Length(id);
            assertTrue(id.isEmpty() || utf8 < 0 || utf8 > ConversationIdCodec.MAX_ID_BYTES,
                    "rejected a valid id '" + id + "': " + e.getMessage());
            return Optional.empty();
        }
        assertTrue(!id.isEmpty() && utf8Length(id) >= 0
                && utf8Length(id) <= ConversationIdCodec.MAX_ID_BYTES, "accepted '" + id + "'");
        for (Path file : new Path[] {STORE.stateFile(id), STORE.archiveFile(id)}) {
            assertEquals(SM, file.getParent(), file.toString());
            assertEquals(file, file.normalize());
        }
        for (String name : new String[] {ConversationIdCodec.stateName(stem),
                ConversationIdCodec.archiveName(stem), ConversationIdCodec.lockName(stem),
                ConversationIdCodec.tempName(stem, Long.MIN_VALUE)}) {
            Path file = SM.resolve(name);
            assertEquals(SM, file.getParent(), name);
            assertEquals(name, file.getFileName().toString());
            assertTrue(name.getBytes(StandardCharsets.UTF_8).length < 255, name);
            assertTrue(name.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '/'
                    && c != '\\'), name);
        }
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfStateName(
                ConversationIdCodec.stateName(stem)));
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
        STORE.close();
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(RUNS.get() > 1, "the committed seed corpus was not replayed (runs: "
                    + RUNS.get() + ")");
        }
    }
}
