package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Arbitrary bytes as the checkpoint (beside a valid log), and as the only log segment: every
 * read ({@code load}, {@code messages}, {@code rounds}, {@code list}, {@code check}) returns or
 * fails with a typed {@code CORRUPT}, never with another exception, never hangs, and changes no
 * byte of the file.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/store/file/LoadFuzzTestInputs/} (valid, compacted,
 * truncated, torn, garbage, empty, another id, a newer schema, schema 1, ...); with
 * {@code JAZZER_FUZZ=1} Jazzer fuzzes for the time given.
 */
class LoadFuzzTest {
    private static final AtomicInteger CHECKPOINT_RUNS = new AtomicInteger();
    private static final AtomicInteger LOG_RUNS = new AtomicInteger();
    static final String ID = "fuzz";
    /** The smallest records allowed, so that the fuzzer reaches the limit too. */
    static final FileStoreOptions OPTIONS = new FileStoreOptions(2, 1L << 20, 64 * 1024, 256,
            1024);
    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");
    private static Path root;
    private static Path sm;
    private static byte[] validLog;

    @BeforeAll
    static void writeAValidLog() throws IOException {
        root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
                "load-fuzz");
        sm = root.resolve("sm");
        validLog = validLog(root);
    }

    /** Writes a log of five records (appends, a compaction, a failure) and returns its bytes. */
    static byte[] validLog(Path root) throws IOException {
        try (FileConversationStore store = FileConversationStore.open(root, OPTIONS)) {
            writeHistory(store);
        }
        return Files.readAllBytes(root.resolve("sm").resolve(
                ConversationIdCodec.segmentName(ID, 1)));
    }

    static void writeHistory(FileConversationStore store) {
        for (int n = 1; n <= 3; n++) {
            store.append(AppendRequest.of(ID, Expectation.nextRoundSeq(n), T,
                    Message.user("u" + n), Message.assistant("a" + n)));
        }
        store.commitCompaction(new CompactionRequest(ID, 0, 2, "rounds 1-2", 2, T));
        store.recordCompactionFailure(ID, T);
    }

    private static void clearSm() throws IOException {
        if (Files.isDirectory(sm)) {
            try (Stream<Path> files = Files.list(sm)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
        } else {
            Files.createDirectory(sm);
        }
    }

    /** Runs every read on a store without a cache; each returns or fails with CORRUPT. */
    private static void readEverything() {
        try (FileConversationStore store = FileConversationStore.open(root, OPTIONS)) {
            try {
                Optional<ConversationState> state = store.load(ID);
                state.ifPresent(s -> assertEquals(ID, s.convId()));
                if (state.isPresent()) {
                    long total = state.get().counters().messagesTotal();
                    assertTrue(store.messages(ID, 1, 1000).size() <= total);
                    store.rounds(ID, 1, 1000);
                    store.messageById(ID, "m");
                }
            } catch (PalimpsestException e) {
                assertEquals(FailureKind.CORRUPT, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains(ID), e.getMessage());
            }
            // Neither the listing nor the check stops at a damaged conversation.
            assertTrue(List.of(List.of(), List.of(ID)).contains(
                    store.list(Optional.empty(), 10).ids()));
            store.check(false);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void arbitraryCheckpointBytesLoadOrRaiseATypedError(FuzzedDataProvider data)
            throws IOException {
        CHECKPOINT_RUNS.incrementAndGet();
        byte[] bytes = data.consumeRemainingAsBytes();
        clearSm();
        Path log = Files.write(sm.resolve(ConversationIdCodec.segmentName(ID, 1)), validLog);
        Path checkpoint = Files.write(sm.resolve(ConversationIdCodec.stateName(ID)), bytes);
        readEverything();
        assertArrayEquals(bytes, Files.readAllBytes(checkpoint), "the checkpoint was changed");
        assertArrayEquals(validLog, Files.readAllBytes(log), "the log was changed");
    }

    @FuzzTest(maxDuration = "30s")
    void arbitraryLogBytesLoadOrRaiseATypedError(FuzzedDataProvider data) throws IOException {
        LOG_RUNS.incrementAndGet();
        byte[] bytes = data.consumeRemainingAsBytes();
        clearSm();
        Path log = Files.write(sm.resolve(ConversationIdCodec.segmentName(ID, 1)), bytes);
        readEverything();
        assertArrayEquals(bytes, Files.readAllBytes(log), "the log was changed");
    }

    @AfterAll
    static void removeAndCheckTheSeedsRan() throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        // Jazzer runs one empty input when the seed folder is missing; fail instead of passing.
        // (0 runs: the method was not selected.)
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(CHECKPOINT_RUNS.get() != 1, "the checkpoint seeds were not replayed");
            assertTrue(LOG_RUNS.get() != 1, "the log seeds were not replayed");
        }
    }
}
