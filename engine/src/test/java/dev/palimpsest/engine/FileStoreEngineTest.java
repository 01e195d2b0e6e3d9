package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.persist.ConversationStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine on the real file store: threads, a blocked summarizer, and crash leftovers. */
class FileStoreEngineTest {
    private static final String ID = "file-backed";

    @TempDir
    Path root;

    @Test
    void threadsAppendingThroughTheFileStoreLoseAndDuplicateNothing() throws Exception {
        try (ConversationStore store = ConversationStore.open(root)) {
            List<ConversationEngine> engines = List.of(
                    ConversationEngine.builder(store).policy(new CompactionPolicy(8, 4, 1_000_000))
                            .build(),
                    ConversationEngine.builder(store).policy(new CompactionPolicy(6, 2, 1_000_000))
                            .build());
            ConcurrentAppendTest.runAppenders(store, engines, "shared", 4, 40);
        }
    }

    @Test
    void appendsDoNotWaitForASummarizerBlockedInAnotherEngine() throws Exception {
        try (ConversationStore store = ConversationStore.open(root)) {
            BlockingSummarizerTest.BlockingSummarizer blocking =
                    new BlockingSummarizerTest.BlockingSummarizer();
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 3, 1_000_000)).summarizer(blocking).build();
            ConversationEngine other = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(10_000, 3, Long.MAX_VALUE)).build();
            BlockingSummarizerTest.runWhileBlocked(store, engine, other, blocking,
                    Status.NOT_NEEDED);
        }
    }

    @Test
    void retriesWithTheExpectedSeqAreIdempotentAndConflictsWriteNothing() {
        try (ConversationStore store = ConversationStore.open(root)) {
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(4, 2, 1_000_000)).build();
            Round first = engine.append(ID, RoundInput.of("u1", "a1").expectingSeq(1)).round();
            for (int i = 2; i <= 9; i++) {
                engine.append(ID, RoundInput.of("u" + i, "a" + i).expectingSeq(i));
            }
            long revision = store.load(ID).revision();
            assertEquals(first, engine.append(ID, RoundInput.of("u1", "a1").expectingSeq(1))
                    .round(), "found in the archive");
            assertEquals("u9", engine.append(ID, RoundInput.of("u9", "a9").expectingSeq(9))
                    .round().user(), "found in the recent rounds");
            SequenceConflictException conflict = assertThrows(SequenceConflictException.class,
                    () -> engine.append(ID, RoundInput.of("u9", "other").expectingSeq(9)));
            assertEquals(10, conflict.actualNextSeq());
            assertThrows(SequenceConflictException.class,
                    () -> engine.append(ID, RoundInput.of("u", "a").expectingSeq(11)));
            assertEquals(revision, store.load(ID).revision(), "nothing was written");
            assertEquals(9, engine.transcript(ID).size());
        }
    }

    @Test
    void roundsLeftInBothTheArchiveAndTheStateByACrashAreReadOnce() {
        try (ConversationStore store = ConversationStore.open(root)) {
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 3, 1_000_000)).build();
            List<Round> appended = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                appended.add(engine.append(ID, "u" + i, "a" + i).round());
            }
            // What a process killed after archiving but before saving the state leaves behind.
            store.appendArchive(ID, appended.subList(0, 4));
            assertEquals(appended, engine.transcript(ID));
            for (int i = 7; i <= 20; i++) {
                appended.add(engine.append(ID, "u" + i, "a" + i).round());
            }
            try (Stream<Round> archived = store.archive(ID)) {
                List<Long> seqs = archived.map(Round::seq).collect(Collectors.toList());
                assertEquals(List.of(1L, 2L, 3L, 4L, 1L, 2L, 3L, 4L), seqs.subList(0, 8));
            }
            assertEquals(appended, engine.transcript(ID));
            assertEquals(appended.subList(9, 12), engine.transcript(ID, 10, 3));
            try (ConversationStore reopened = ConversationStore.open(root)) {
                assertEquals(appended,
                        ConversationEngine.builder(reopened).build().transcript(ID));
            }
        }
    }
}
