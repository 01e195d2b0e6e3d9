package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeferredCloserTest {
    @TempDir
    Path dir;

    private FileChannel open(String name) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, name);
        return FileChannel.open(file, StandardOpenOption.READ);
    }

    /** Makes a closing thread that starts closing only once {@code release} is counted down. */
    private static java.util.concurrent.ThreadFactory heldUntil(CountDownLatch release) {
        return body -> {
            Thread thread = new Thread(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                body.run();
            }, "test-closer");
            thread.setDaemon(true);
            return thread;
        };
    }

    @Test
    void channelsAreClosedOnTheClosersThreadAndBeyondItsCapacityAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DeferredCloser closer = new DeferredCloser(2, 1 << 20, heldUntil(release));
        List<FileChannel> waiting = new ArrayList<>();
        waiting.add(open("a"));
        waiting.add(open("b"));
        for (FileChannel channel : waiting) {
            closer.closeLater(channel);
        }
        FileChannel overflow = open("c");
        closer.closeLater(overflow);
        closer.closeLater(null);

        assertFalse(overflow.isOpen(), "no room: closed by the caller");
        assertEquals(2, closer.waiting());
        for (FileChannel channel : waiting) {
            assertTrue(channel.isOpen(), "left to the closer, which has not run yet");
        }
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (waiting.stream().anyMatch(FileChannel::isOpen) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        for (FileChannel channel : waiting) {
            assertFalse(channel.isOpen());
        }
    }

    @Test
    void theBytesOfTheFilesKeptFromBeingFreedAreBoundedToo() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DeferredCloser closer = new DeferredCloser(10, 3, heldUntil(release));
        FileChannel two = open("ab");
        FileChannel twoMore = open("cd");
        FileChannel one = open("e");
        closer.closeLater(two);
        closer.closeLater(twoMore);
        closer.closeLater(one);
        assertTrue(two.isOpen());
        assertFalse(twoMore.isOpen(), "4 bytes would wait: over the bound of 3");
        assertTrue(one.isOpen());
        assertEquals(2, closer.waiting());
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((two.isOpen() || one.isOpen()) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(two.isOpen());
        assertFalse(one.isOpen());
    }

    @Test
    void aReplacedFileIsHeldOpenOnlyUntilTheCloserGetsToIt() throws Exception {
        Path file = dir.resolve("state.json");
        Files.writeString(file, "old");
        FileChannel old = FileChannel.open(file, StandardOpenOption.READ);
        Path temp = dir.resolve("state.tmp");
        Files.writeString(temp, "new");
        Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        DeferredCloser.SHARED.closeLater(old);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (old.isOpen() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertFalse(old.isOpen());
        assertEquals("new", Files.readString(file));
    }

    @Test
    void savingOverAndOverLeavesNoReplacedFileOpen() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(fds), "needs /proc");
        Path root = dir.resolve("root");
        try (dev.palimpsest.persist.ConversationStore store =
                     dev.palimpsest.persist.ConversationStore.open(root)) {
            dev.palimpsest.core.Conversation c = dev.palimpsest.core.Conversation.empty("fd");
            for (int i = 0; i < 600; i++) {
                c = store.save(c);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long held;
            do {
                Thread.sleep(5);
                held = replacedFilesHeld(fds, root);
            } while (held > 0 && System.nanoTime() < deadline);
            assertEquals(0, held, "descriptors of replaced state files still open");
        }
    }

    /** Counts this process's descriptors on files under {@code root} that were deleted. */
    private static long replacedFilesHeld(Path fds, Path root) throws IOException {
        String prefix = root.toRealPath().toString();
        long count = 0;
        try (var entries = Files.newDirectoryStream(fds)) {
            for (Path fd : entries) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith(prefix) && target.endsWith(" (deleted)")) {
                        count++;
                    }
                } catch (IOException gone) {
                    // Closed meanwhile.
                }
            }
        }
        return count;
    }
}
