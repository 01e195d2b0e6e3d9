package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every file-system step of an append, of a checkpoint, of a segment rotation and of a
 * compaction commit fails once, each in a store of its own: the call fails with {@code IO}
 * (nothing changed) or {@code DURABILITY_UNKNOWN}, or, where only the checkpoint failed, succeeds
 * (the log holds the change); no temp file remains; a reopened store with the real file
 * operations loads every acknowledged message once, numbered as before, and the failed change
 * entirely or not at all; and the same store goes on appending.
 *
 * <p>The steps are not listed by hand: each scenario first runs with nothing failing, to record
 * the steps it takes ({@link FailingFileOps#trace()}), then once per recorded step.
 */
class FaultInjectionTest {
    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");
    private static final String ID = "f";
    /** About 20 KB per round: three fill a 64 KiB segment, the fourth starts the next. */
    private static final String PAD = " " + "x".repeat(20_000);
    /** 64 KiB segments and no checkpoint but the compaction's. */
    private static final FileStoreOptions SMALL_SEGMENTS = new FileStoreOptions(1_000_000,
            1L << 40, 64 * 1024, 4096, 1 << 20);

    @TempDir
    Path top;

    /** An operation whose every step fails in turn, after {@code rounds} acknowledged rounds. */
    enum Scenario {
        /** The first append of the first conversation: {@code sm/}, segment 1, its record. */
        FIRST_APPEND(FileStoreOptions.DEFAULTS, 0, false),
        /** An append into the current segment: its record only. */
        APPEND(FileStoreOptions.DEFAULTS, 2, false),
        /** An append and the checkpoint after it. */
        APPEND_AND_CHECKPOINT(FileStoreOptions.DEFAULTS.checkpointingEveryChange(), 2, false),
        /** An append whose checkpoint is due by its record count (every 3 records). */
        APPEND_AND_COUNTED_CHECKPOINT(new FileStoreOptions(3, 1L << 40, 64L << 20, 4096,
                1 << 20), 2, false),
        /** An append that starts segment 2. */
        ROTATION(SMALL_SEGMENTS, 3, false),
        /** An append that starts segment 2, and the checkpoint after it. */
        ROTATION_AND_CHECKPOINT(SMALL_SEGMENTS.checkpointingEveryChange(), 3, false),
        /** A compaction commit: its record and the checkpoint that every compaction writes. */
        COMPACTION(FileStoreOptions.DEFAULTS, 4, true),
        /** A compaction commit right after a rotation, in segment 2. */
        COMPACTION_AFTER_ROTATION(SMALL_SEGMENTS, 4, true);

        final FileStoreOptions options;
        final int rounds;
        final boolean compaction;

        Scenario(FileStoreOptions options, int rounds, boolean compaction) {
            this.options = options;
            this.rounds = rounds;
            this.compaction = compaction;
        }

        void run(FileConversationStore store) {
            if (compaction) {
                store.commitCompaction(new CompactionRequest(ID, 0, 2, "rounds 1-2", 3, T));
            } else {
                round(store, rounds + 1);
            }
        }
    }

    private static void round(FileConversationStore store, int n) {
        store.append(AppendRequest.of(ID, Expectation.nextRoundSeq(n), T,
                Message.user("u" + n), Message.assistant("a" + n + PAD)));
    }

    /** The texts of rounds {@code from..to}, as {@link #texts} gives them. */
    private static List<String> rounds(int from, int to) {
        List<String> out = new ArrayList<>();
        for (int n = from; n <= to; n++) {
            out.add("u" + n);
            out.add("a" + n);
        }
        return out;
    }

    /**
     * The messages of the conversation, each up to its first space, after checking that they
     * are numbered 1, 2, ... two to a round; empty if it does not exist.
     */
    private static List<String> texts(FileConversationStore store) {
        if (store.load(ID).isEmpty()) {
            return List.of();
        }
        List<StoredMessage> all = store.messages(ID, 1, 100_000);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).seq(), "message seqs are dense");
            assertEquals(i / 2 + 1, all.get(i).roundSeq(), "two messages to a round");
            String content = all.get(i).message().content();
            int space = content.indexOf(' ');
            out.add(space < 0 ? content : content.substring(0, space));
        }
        assertEquals(all.size(), store.load(ID).orElseThrow().counters().messagesTotal());
        return out;
    }

    private static List<Path> temps(Path root) throws IOException {
        Path sm = root.resolve("sm");
        if (!Files.isDirectory(sm)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sm)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }

    private static long segments(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("sm"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).count();
        }
    }

    /** Runs the scenario with nothing failing and returns the steps it took. */
    private List<FailingFileOps.Step> record(Scenario scenario) throws IOException {
        Path root = Files.createDirectory(top.resolve(scenario + "-recording"));
        FailingFileOps ops = new FailingFileOps();
        try (FileConversationStore store = FileConversationStore.open(root, scenario.options,
                ops)) {
            for (int n = 1; n <= scenario.rounds; n++) {
                round(store, n);
            }
            long segmentsBefore = scenario.rounds == 0 ? 0 : segments(root);
            ops.arm(-1);
            scenario.run(store);
            List<FailingFileOps.Step> trace = ops.trace();
            assertFalse(trace.isEmpty(), scenario + " takes no step");
            if (scenario.name().startsWith("ROTATION")) {
                assertEquals(segmentsBefore + 1, segments(root), scenario + " must rotate");
            }
            if (scenario.name().contains("CHECKPOINT") || scenario.compaction) {
                assertTrue(trace.contains(FailingFileOps.Step.RENAME),
                        scenario + " must write a checkpoint: " + trace);
            }
            return trace;
        }
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyFailingStepLeavesTheAcknowledgedMessagesAndTheChangeWholeOrAbsent(
            Scenario scenario) throws IOException {
        List<FailingFileOps.Step> trace = record(scenario);
        for (int step = 0; step < trace.size(); step++) {
            String where = scenario + ", step " + step + " (" + trace.get(step) + ") of "
                    + trace + " failing";
            Path root = Files.createDirectory(top.resolve(scenario + "-" + step));
            FailingFileOps ops = new FailingFileOps();
            List<String> before = rounds(1, scenario.rounds);
            List<String> withChange = scenario.compaction ? before
                    : rounds(1, scenario.rounds + 1);
            boolean applied;
            int next;
            try (FileConversationStore store = FileConversationStore.open(root,
                    scenario.options, ops)) {
                for (int n = 1; n <= scenario.rounds; n++) {
                    round(store, n);
                }
                ops.arm(step);
                PalimpsestException failure = null;
                try {
                    scenario.run(store);
                } catch (PalimpsestException e) {
                    failure = e;
                }
                assertTrue(ops.fired(), where + ": the step was not taken again");
                if (failure != null) {
                    assertTrue(failure.kind() == FailureKind.IO
                            || failure.kind() == FailureKind.DURABILITY_UNKNOWN,
                            where + ": " + failure);
                    assertEquals(Optional.of(ID), failure.convId(), where);
                    assertTrue(failure.getMessage().contains("injected failure"),
                            where + ": " + failure.getMessage());
                    assertInstanceOf(IOException.class, failure.getCause(), where);
                }
                assertEquals(List.of(), temps(root), where + ": temp files left");

                try (FileConversationStore reopened = FileConversationStore.open(root,
                        scenario.options)) {
                    List<String> texts = texts(reopened);
                    ConversationState state = reopened.load(ID).orElse(null);
                    applied = scenario.compaction
                            ? state != null && state.counters().compactions() == 1
                            : texts.equals(withChange);
                    assertTrue(applied || texts.equals(before), where + ": stored " + texts);
                    if (failure == null) {
                        assertTrue(applied, where + ": acknowledged, but not stored");
                    } else if (failure.kind() == FailureKind.IO) {
                        assertFalse(applied, where + ": IO promises that nothing changed");
                    }
                    CheckReport report = reopened.check(false);
                    assertTrue(report.clean(), where + ": " + report);
                }

                // The store that saw the failure goes on, and numbers on from what is stored.
                ops.arm(-1);
                next = (applied ? withChange : before).size() / 2 + 1;
                round(store, next);
            }
            List<String> expected = new ArrayList<>(applied ? withChange : before);
            expected.addAll(rounds(next, next));
            try (FileConversationStore reopened = FileConversationStore.open(root,
                    scenario.options)) {
                assertEquals(expected, texts(reopened), where + ", then one more round");
                assertTrue(reopened.check(false).clean(), where);
            }
        }
    }

    @Test
    void aDeleteFailingAtAnyStepLeavesAPrefixOfTheLogAndTheNextDeleteRemovesIt()
            throws IOException {
        Scenario prelude = Scenario.ROTATION;
        List<FailingFileOps.Step> trace;
        Path recording = Files.createDirectory(top.resolve("delete-recording"));
        FailingFileOps recorder = new FailingFileOps();
        try (FileConversationStore store = FileConversationStore.open(recording,
                prelude.options, recorder)) {
            for (int n = 1; n <= 5; n++) {
                round(store, n);
            }
            recorder.arm(-1);
            assertTrue(store.delete(ID));
            trace = recorder.trace();
        }
        assertTrue(trace.stream().filter(FailingFileOps.Step.DELETE::equals).count() >= 3,
                "checkpoint, two segments: " + trace);
        for (int step = 0; step < trace.size(); step++) {
            String where = "delete, step " + step + " (" + trace.get(step) + ") of " + trace;
            Path root = Files.createDirectory(top.resolve("delete-" + step));
            FailingFileOps ops = new FailingFileOps();
            try (FileConversationStore store = FileConversationStore.open(root, prelude.options,
                    ops)) {
                for (int n = 1; n <= 5; n++) {
                    round(store, n);
                }
                ops.arm(step);
                try {
                    store.delete(ID);
                } catch (PalimpsestException e) {
                    assertTrue(e.kind() == FailureKind.IO
                            || e.kind() == FailureKind.DURABILITY_UNKNOWN, where + ": " + e);
                }
                assertTrue(ops.fired(), where);
                try (FileConversationStore reopened = FileConversationStore.open(root,
                        prelude.options)) {
                    // Deleted newest segment first: what is left is the start of the log.
                    List<String> left = texts(reopened);
                    assertEquals(rounds(1, 5).subList(0, left.size()), left, where);
                }
                ops.arm(-1);
                store.delete(ID);
                assertEquals(Optional.empty(), store.load(ID), where);
                round(store, 1);
            }
            try (FileConversationStore reopened = FileConversationStore.open(root,
                    prelude.options)) {
                assertEquals(rounds(1, 1), texts(reopened), where);
            }
        }
    }
}
