package dev.palimpsest.store.file;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child JVM of {@link CrashRecoveryTest}: appends to one conversation forever, one to three
 * messages at a time, message {@code seq} reading {@code m<seq> ...} (the expectation of the next
 * seq makes sure of it), compacting every tenth append, and reports {@code acked <first seq>
 * <last seq>} after each append returns, until the test kills it.
 *
 * <p>With a pause point, the {@code nth} time the store reaches it the child reports
 * {@code paused <point>} and stops there, inside the store's call, for the test to kill it: so
 * kills land exactly between the steps of a rotation, of a checkpoint and of an append.
 *
 * <p>Arguments: root, conversation id, seed, pause point (or {@code none}), nth.
 */
final class CrashingAppenderChild {
    /** 64 KiB segments (about 20 appends each) and a checkpoint every 3 records. */
    static final FileStoreOptions OPTIONS = new FileStoreOptions(3, 1L << 20, 64 * 1024, 4096,
            1 << 20);
    private static final String PAD = " " + "p".repeat(1500);

    /** Where the child may stop. */
    enum Pause {
        /** A new segment, complete under its temp name, before its rename. */
        BEFORE_SEGMENT_RENAME,
        /** A new segment renamed into place, before the directory fsync. */
        AFTER_SEGMENT_RENAME,
        /** A checkpoint, complete under its temp name, before its rename. */
        BEFORE_CHECKPOINT_RENAME,
        /** A checkpoint renamed into place, before the directory fsync. */
        AFTER_CHECKPOINT_RENAME,
        /** A record written, before it is forced. */
        BEFORE_RECORD_FORCE,
        /** A record forced, before the append returns. */
        AFTER_RECORD_FORCE
    }

    private CrashingAppenderChild() {
    }

    /** The real operations, stopping at the {@code nth} time one pause point is reached. */
    private static final class PausingOps extends FailingFileOps {
        private final Pause pause;
        private final ChildJvm.ParentLink parent;
        private int left;

        PausingOps(Pause pause, int nth, ChildJvm.ParentLink parent) {
            this.pause = pause;
            this.left = nth;
            this.parent = parent;
        }

        private void at(Pause point) {
            if (point == pause && --left == 0) {
                parent.report("paused " + point);
                while (true) {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        // Only the kill ends this.
                    }
                }
            }
        }

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            boolean segment = target.getFileName().toString().endsWith(".log");
            at(segment ? Pause.BEFORE_SEGMENT_RENAME : Pause.BEFORE_CHECKPOINT_RENAME);
            super.moveAtomically(source, target);
            at(segment ? Pause.AFTER_SEGMENT_RENAME : Pause.AFTER_CHECKPOINT_RENAME);
        }

        @Override
        public void forceData(FileChannel channel) throws IOException {
            at(Pause.BEFORE_RECORD_FORCE);
            super.forceData(channel);
            at(Pause.AFTER_RECORD_FORCE);
        }
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        String convId = args[1];
        Random random = new Random(Long.parseLong(args[2]));
        FileOps ops = args[3].equals("none") ? NioFileOps.INSTANCE
                : new PausingOps(Pause.valueOf(args[3]), Integer.parseInt(args[4]), parent);
        try (FileConversationStore store = FileConversationStore.open(Path.of(args[0]),
                OPTIONS, ops)) {
            long next = store.load(convId).map(s -> s.counters().messagesTotal()).orElse(0L) + 1;
            parent.report("ready " + next);
            for (int i = 1; ; i++) {
                int count = 1 + random.nextInt(3);
                List<Message> messages = new ArrayList<>();
                for (int k = 0; k < count; k++) {
                    String text = "m" + (next + k) + PAD;
                    messages.add(k == 0 ? Message.user(text) : Message.assistant(text));
                }
                AppendResult r = store.append(AppendRequest.of(convId,
                        Expectation.nextMessageSeq(next), Instant.now(),
                        messages.toArray(new Message[0])));
                long last = r.messages().get(r.messages().size() - 1).seq();
                parent.report("acked " + next + " " + last);
                next = last + 1;
                if (i % 10 == 0) {
                    ConversationState s = store.load(convId).orElseThrow();
                    long through = s.counters().roundsTotal() - 2;
                    if (through > s.counters().compactedRounds()) {
                        try {
                            store.commitCompaction(new CompactionRequest(convId,
                                    s.counters().compactedRounds(), through, "summary " + i, 1,
                                    Instant.now()));
                        } catch (PalimpsestException e) {
                            parent.report("compaction failed " + e.kind());
                        }
                    }
                }
            }
        }
    }
}
