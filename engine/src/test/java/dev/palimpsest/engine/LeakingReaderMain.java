package dev.palimpsest.engine;

import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * Child JVM of {@link TranscriptStreamLeakTest}: opens a transcript stream, reads one round,
 * drops the stream without closing it, and collects garbage until the archive's descriptor is
 * gone (at most 500 rounds of {@code System.gc()}). Reports {@code open <n>} with the stream
 * alive and {@code closed <n>} after, n being the descriptors open on the archive.
 *
 * <p>Arguments: root, conversation id.
 */
final class LeakingReaderMain {
    private LeakingReaderMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        try (ConversationStore store = ConversationStore.open(root)) {
            Path archive = store.archiveFile(convId);
            ConversationEngine engine = ConversationEngine.builder(store).build();
            readOneAndDrop(engine, convId, archive, parent);
            long open = 1;
            for (int i = 0; i < 500 && open > 0; i++) {
                System.gc();
                Thread.sleep(10);
                open = TranscriptStreamLeakTest.openFilesOn(archive);
            }
            parent.report("closed " + open);
        }
        System.exit(0);
    }

    /** In a method of its own, so that nothing on main's stack frame keeps the stream. */
    private static void readOneAndDrop(ConversationEngine engine, String convId, Path archive,
                                       ChildJvm.ParentLink parent) {
        Iterator<Round> rounds = engine.transcriptStream(convId).iterator();
        rounds.next();
        parent.report("open " + TranscriptStreamLeakTest.openFilesOn(archive));
        // Reachable until here: the report saw the stream open.
        if (!rounds.hasNext()) {
            throw new IllegalStateException("the transcript has one round only");
        }
    }
}
