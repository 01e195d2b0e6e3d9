package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an interrupted writer gets while another process holds the conversation's lock
 * (docs/durability.md, "Locks"): an interrupt closes a channel blocked in
 * {@code FileChannel.lock}, and with it the file lock, so the writer must fail (kind
 * {@code IO}, its interrupt status kept) and never take the closed channel for the lock and
 * write inside the other process's. The other process is {@link LockFileHolderChild}, which
 * locks the lock file as any writer does.
 */
class LockInterruptTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CONV = "shared";
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path root;

    @Test
    void aWaiterInterruptedInTheFileLockFailsFastAndTheNextWriterStillExcludesOtherProcesses()
            throws InterruptedException {
        try (ChildJvms children = new ChildJvms(2, Duration.ofSeconds(90));
             FileConversationStore store = FileConversationStore.open(root)) {
            append(store, "first");
            ChildJvm holder = children.start(LockFileHolderChild.class, lockFile().toString());
            holder.awaitLine("holding"::equals, WAIT);

            AtomicReference<Object> interruptedOutcome = new AtomicReference<>();
            AtomicReference<Boolean> keptInterrupt = new AtomicReference<>();
            Thread interrupted = new Thread(() -> {
                interruptedOutcome.set(outcomeOf(store, "interrupted waiter"));
                keptInterrupt.set(Thread.currentThread().isInterrupted());
            }, "interrupted-waiter");
            interrupted.start();
            awaitBlockedInFileLock(interrupted);
            interrupted.interrupt();
            // It fails at once, while the other process still holds the lock.
            interrupted.join(WAIT.toMillis());
            assertFalse(interrupted.isAlive(), "the interrupted waiter kept waiting");
            PalimpsestException failed = assertInstanceOf(PalimpsestException.class,
                    interruptedOutcome.get());
            assertEquals(FailureKind.IO, failed.kind(), failed.toString());
            assertInstanceOf(FileLockInterruptionException.class, failed.getCause());
            assertEquals(Boolean.TRUE, keptInterrupt.get(), "the interrupt status was lost");

            // The interrupt closed the kept channel; the next writer opens the lock file afresh
            // and still waits for the other process instead of writing inside its lock.
            AtomicReference<Object> nextOutcome = new AtomicReference<>();
            Thread next = new Thread(() -> nextOutcome.set(outcomeOf(store, "next writer")),
                    "next-writer");
            next.start();
            awaitBlockedInFileLock(next);
            assertNull(nextOutcome.get(), "the next writer did not wait for the lock");
            holder.send("release");
            assertEquals(0, holder.awaitExit(WAIT), holder.describe());
            next.join(WAIT.toMillis());
            assertFalse(next.isAlive(), "the next writer never got the lock");
            assertEquals(2, assertInstanceOf(AppendResult.class, nextOutcome.get()).revision());

            // And it released the file lock: another process takes it after it.
            ChildJvm after = children.start(LockFileHolderChild.class, lockFile().toString());
            after.awaitLine("holding"::equals, WAIT);
            after.send("release");
            assertEquals(0, after.awaitExit(WAIT), after.describe());
        }
        assertEquals(List.of("first", "next writer"), storedTexts());
    }

    @Test
    void aWriterInterruptedAgainAndAgainNeverWritesInsideAnotherProcessesLock()
            throws InterruptedException {
        try (ChildJvms children = new ChildJvms(1, Duration.ofSeconds(90));
             FileConversationStore store = FileConversationStore.open(root)) {
            append(store, "first");
            ChildJvm holder = children.start(LockFileHolderChild.class, lockFile().toString());
            holder.awaitLine("holding"::equals, WAIT);

            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread writer = new Thread(() -> outcome.set(outcomeOf(store, "interrupted writer")),
                    "interrupted-writer");
            writer.start();
            // Interrupts land wherever the writer is: opening, locking, or already failed.
            for (int i = 0; i < 5; i++) {
                Thread.sleep(50);
                writer.interrupt();
            }
            writer.join(WAIT.toMillis());
            assertFalse(writer.isAlive(), "the interrupted writer kept waiting");
            PalimpsestException failed = assertInstanceOf(PalimpsestException.class,
                    outcome.get(), "the writer stored while another process held the lock");
            assertEquals(FailureKind.IO, failed.kind(), failed.toString());

            holder.send("release");
            assertEquals(0, holder.awaitExit(WAIT), holder.describe());
            // Read once the other process let go: a read takes the lock too.
            assertEquals(List.of("first"), storedTexts(store));
            // The store is whole: the next append is the second round.
            assertEquals(2, append(store, "after").revision());
        }
        assertEquals(List.of("first", "after"), storedTexts());
    }

    private Path lockFile() {
        return root.resolve("sm").resolve(ConversationIdCodec.lockName(
                ConversationIdCodec.stem(CONV)));
    }

    private static AppendResult append(FileConversationStore store, String text) {
        return store.append(AppendRequest.of(CONV, Expectation.none(), T, Message.user(text)));
    }

    private static Object outcomeOf(FileConversationStore store, String text) {
        try {
            return append(store, text);
        } catch (RuntimeException e) {
            return e;
        }
    }

    private List<String> storedTexts() {
        try (FileConversationStore fresh = FileConversationStore.open(root)) {
            return storedTexts(fresh);
        }
    }

    private static List<String> storedTexts(FileConversationStore store) {
        return store.messages(CONV, 1, 100).stream().map(StoredMessage::message)
                .map(Message::content).toList();
    }

    /**
     * Waits until {@code thread} is blocked in the native call of {@code FileChannel.lock}, that
     * is, waiting for a file lock that another process holds.
     */
    private static void awaitBlockedInFileLock(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!thread.isAlive()) {
                throw new AssertionError(thread.getName() + " ended before it waited for the lock");
            }
            for (StackTraceElement frame : thread.getStackTrace()) {
                if (frame.getMethodName().equals("lock0")) {
                    return;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError(thread.getName() + " never waited in FileChannel.lock");
    }
}
