package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.core.Conversation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@code load} of arbitrary file bytes returns a valid state or raises one of the typed errors,
 * and never changes the file; {@code list} and {@code check} go on past it.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/persist/LoadFuzzTestInputs/}.
 */
class LoadFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final String ID = "fuzz";
    private static Path root;
    private static ConversationStore store;

    @BeforeAll
    static void openStore() throws IOException {
        root = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")),
                "load-fuzz");
        Files.createDirectories(root.resolve("sm"));
        // A small limit, so that the fuzzer reaches it too.
        store = ConversationStore.open(StoreOptions.builder(root).maxStateBytes(8192).build());
    }

    @FuzzTest(maxDuration = "30s")
    void arbitraryFileBytesLoadOrRaiseATypedError(FuzzedDataProvider data) throws IOException {
        RUNS.incrementAndGet();
        byte[] bytes = data.consumeRemainingAsBytes();
        Path file = store.stateFile(ID);
        Files.write(file, bytes);
        try {
            Conversation c = store.load(ID);
            assertEquals(ID, c.convId());
            assertTrue(c.revision() >= 0);
        } catch (CorruptStateException e) {
            assertEquals(file, e.file());
            assertTrue(e.getMessage().startsWith("unreadable state file "), e.getMessage());
        } catch (IdCollisionException e) {
            assertTrue(!e.storedId().equals(ID));
        }
        store.list();
        store.check(false);
        assertArrayEquals(bytes, Files.readAllBytes(file), "the file was changed");
    }

    @AfterAll
    static void closeAndCheck() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(RUNS.get() > 1, "the committed seed corpus was not replayed (runs: "
                    + RUNS.get() + ")");
        }
    }
}
