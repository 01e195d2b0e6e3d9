package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.DurabilityUnknownException;
import dev.palimpsest.persist.StoreIOException;
import dev.palimpsest.persist.StoreIOException.Step;
import dev.palimpsest.persist.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each step of the write protocols fails once: the error names the step, the previous file is
 * byte-identical, no temp file remains, and the next write succeeds.
 */
class FaultInjectionTest {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path root;

    private static Conversation plusRound(Conversation c) {
        return c.withRoundAppended(new Round(c.nextSeq(), "u" + c.nextSeq(), "a", T), T);
    }

    private List<Path> temps() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("sm"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"CREATE", "WRITE", "FSYNC", "CLOSE", "RENAME"})
    void aStepFailingBeforeTheRenameLeavesThePreviousFileByteIdentical(Step step)
            throws IOException {
        FailingFileOps ops = new FailingFileOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root).build(), ops)) {
            Conversation first = store.save(plusRound(Conversation.empty("f")));
            byte[] before = Files.readAllBytes(store.stateFile("f"));
            ops.failOnce(step);
            StoreIOException e = assertThrows(StoreIOException.class,
                    () -> store.save(plusRound(first)));
            assertTrue(ops.fired());
            assertEquals(step, e.step());
            assertFalse(e instanceof DurabilityUnknownException);
            assertEquals(java.util.Optional.of("f"), e.convId());
            assertTrue(e.getMessage().startsWith(step.name().toLowerCase(java.util.Locale.ROOT)
                    + " failed: "), e.getMessage());
            assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
            assertInstanceOf(IOException.class, e.getCause());
            assertArrayEquals(before, Files.readAllBytes(store.stateFile("f")));
            assertEquals(List.of(), temps());
            assertEquals(first, store.load("f"));
            Conversation second = store.save(plusRound(first));
            assertEquals(2, second.revision());
            assertEquals(second, store.load("f"));
        }
    }

    @Test
    void aFailedDirectoryFsyncAfterTheRenameIsDurabilityUnknown() throws IOException {
        FailingFileOps ops = new FailingFileOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root).build(), ops)) {
            Conversation first = store.save(plusRound(Conversation.empty("f")));
            ops.failOnce(Step.DIRECTORY_FSYNC);
            Conversation attempted = plusRound(first);
            DurabilityUnknownException e = assertThrows(DurabilityUnknownException.class,
                    () -> store.save(attempted));
            assertEquals(Step.DIRECTORY_FSYNC, e.step());
            assertTrue(e.getMessage().startsWith("saved, durability unknown"), e.getMessage());
            // The change is visible (the rename happened), whole and readable.
            assertEquals(attempted.withRevision(2), store.load("f"));
            assertEquals(List.of(), temps());
            assertEquals(3, store.save(plusRound(store.load("f"))).revision());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Step.class, names = {"CREATE", "WRITE", "FSYNC", "DIRECTORY_FSYNC"})
    void aFailedArchiveAppendLeavesTheArchiveAsItWas(Step step) throws IOException {
        FailingFileOps ops = new FailingFileOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root).build(), ops)) {
            Round one = new Round(1, "u1", "a1", T);
            Round two = new Round(2, "u2", "a2", T);
            if (step == Step.CREATE || step == Step.DIRECTORY_FSYNC) {
                store.save(plusRound(Conversation.empty("other")));
                ops.failOnce(step);
                StoreIOException e = assertThrows(StoreIOException.class,
                        () -> store.appendArchive("a", List.of(one)));
                assertEquals(step, e.step());
                if (step == Step.CREATE) {
                    assertFalse(Files.exists(store.archiveFile("a")));
                } else {
                    assertInstanceOf(DurabilityUnknownException.class, e);
                }
                store.appendArchive("a", List.of(two));
                try (Stream<Round> archived = store.archive("a")) {
                    assertEquals(step == Step.CREATE ? List.of(two) : List.of(one, two),
                            archived.toList());
                }
                return;
            }
            store.appendArchive("a", List.of(one));
            byte[] before = Files.readAllBytes(store.archiveFile("a"));
            ops.failOnce(step);
            StoreIOException e = assertThrows(StoreIOException.class,
                    () -> store.appendArchive("a", List.of(two)));
            assertEquals(step, e.step());
            assertArrayEquals(before, Files.readAllBytes(store.archiveFile("a")));
            store.appendArchive("a", List.of(two));
            try (Stream<Round> archived = store.archive("a")) {
                assertEquals(List.of(one, two), archived.toList());
            }
        }
    }

    @Test
    void aFailedDeleteIsTypedAndTheNextDeleteSucceeds() {
        FailingFileOps ops = new FailingFileOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root).build(), ops)) {
            store.save(plusRound(Conversation.empty("d")));
            ops.failOnce(Step.DELETE);
            assertEquals(Step.DELETE, assertThrows(StoreIOException.class,
                    () -> store.delete("d")).step());
            assertTrue(store.delete("d"));
            assertEquals(Conversation.empty("d"), store.load("d"));
        }
    }

    @Test
    void aFailedFsyncOfTheNewDirectoryIsTypedAndTheNextSaveSucceeds() {
        FailingFileOps ops = new FailingFileOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root.resolve("deeper")).build(), ops)) {
            ops.failOnce(Step.DIRECTORY_FSYNC);
            StoreIOException e = assertThrows(StoreIOException.class,
                    () -> store.save(plusRound(Conversation.empty("n"))));
            assertEquals(Step.CREATE_DIRECTORY, e.step());
            assertEquals(1, store.save(plusRound(Conversation.empty("n"))).revision());
        }
    }

    /** Real file operations whose next directory fsync waits for a release, then fails once. */
    private static final class GatedDirectoryOps extends FailingFileOps {
        final java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        volatile boolean gate;

        @Override
        public void fsyncDirectory(Path directory) throws IOException {
            if (gate) {
                gate = false;
                started.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                // The gated fsync itself succeeds; the armed failure is for the next one.
                NioFileOps.INSTANCE.fsyncDirectory(directory);
                return;
            }
            super.fsyncDirectory(directory);
        }
    }

    @Test
    void aFailedSharedDirectoryFsyncIsDurabilityUnknownForEverySaveItCovered() throws Exception {
        GatedDirectoryOps ops = new GatedDirectoryOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root).build(), ops)) {
            int joiners = 4;
            for (int i = 0; i <= joiners; i++) {
                store.save(plusRound(Conversation.empty("c" + i)));
            }
            ops.gate = true;
            java.util.concurrent.atomic.AtomicReference<Object> leader =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread first = new Thread(() -> leader.set(save(store, "c0")));
            first.start();
            ops.started.await();
            List<java.util.concurrent.atomic.AtomicReference<Object>> outcomes =
                    new java.util.ArrayList<>();
            List<Thread> threads = new java.util.ArrayList<>();
            for (int i = 1; i <= joiners; i++) {
                String id = "c" + i;
                java.util.concurrent.atomic.AtomicReference<Object> outcome =
                        new java.util.concurrent.atomic.AtomicReference<>();
                outcomes.add(outcome);
                Thread t = new Thread(() -> outcome.set(save(store, id)));
                threads.add(t);
                t.start();
            }
            // Each joiner has renamed its file and waits for an fsync that starts after that.
            for (Thread t : threads) {
                while (t.getState() != Thread.State.WAITING) {
                    Thread.onSpinWait();
                }
            }
            ops.failOnce(Step.DIRECTORY_FSYNC);
            ops.release.countDown();
            first.join();
            for (Thread t : threads) {
                t.join();
            }
            assertInstanceOf(Conversation.class, leader.get(), String.valueOf(leader.get()));
            for (int i = 1; i <= joiners; i++) {
                Object outcome = outcomes.get(i - 1).get();
                DurabilityUnknownException e = assertInstanceOf(
                        DurabilityUnknownException.class, outcome, String.valueOf(outcome));
                assertEquals(java.util.Optional.of("c" + i), e.convId());
                // The rename happened: the new state is visible, whole.
                assertEquals(2, store.load("c" + i).revision());
            }
            assertEquals(List.of(), temps());
            assertEquals(3, store.save(plusRound(store.load("c1"))).revision());
        }
    }

    private static Object save(ConversationStore store, String id) {
        try {
            return store.save(plusRound(store.load(id)));
        } catch (RuntimeException e) {
            return e;
        }
    }
}
