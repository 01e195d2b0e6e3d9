package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store that has written to many conversations holds a bounded number of file descriptors:
 * the segments it keeps open for writing and the lock files it keeps open between locks are
 * bounded for the whole JVM, and the head has no file of its own. (Before the bound, a store caching 10,000 conversations held a descriptor for
 * each, and two with the head file, which ran a 20,000 limit out.)
 */
class DescriptorBoundTest {
    private static final Instant T = Instant.parse("2026-12-07T00:00:00Z");

    @TempDir
    Path root;

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void writingToManyConversationsHoldsABoundedNumberOfDescriptors() throws IOException {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
        int conversations = FileConversationStore.MAX_OPEN_WRITE_CHANNELS * 3;
        long before = openDescriptors();
        try (FileConversationStore store = FileConversationStore.open(root,
                new FileStoreOptions(256, 4 << 20, 64 * 1024, 4096, 8 << 20))) {
            for (int i = 0; i < conversations; i++) {
                store.append(AppendRequest.of("conv-" + i, Expectation.none(), T,
                        Message.user("q" + i), Message.assistant("a" + i)));
            }
            long held = openDescriptors() - before;
            assertTrue(held <= FileConversationStore.MAX_OPEN_WRITE_CHANNELS
                            + ConversationLocks.MAX_KEPT_OPEN + 16,
                    held + " descriptors held after writing to " + conversations
                            + " conversations");
            // Every conversation still takes appends, closed segment or not.
            for (int i = 0; i < conversations; i += 37) {
                assertEquals(2, store.append(AppendRequest.of("conv-" + i, Expectation.none(),
                        T, Message.user("again"))).revision());
            }
        }
        assertTrue(openDescriptors() - before <= 16, "closing the store closes them");
    }
}
