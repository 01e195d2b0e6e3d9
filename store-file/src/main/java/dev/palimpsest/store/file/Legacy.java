package dev.palimpsest.store.file;

import dev.palimpsest.format.LegacyFormat;
import dev.palimpsest.format.LogRecord;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A conversation of the first generation (a schema-1 state file and its archive) in terms of
 * the log: the records that, replayed, give its whole history. Loading shows that state without
 * changing a file; the first write of the conversation writes these records, then a schema-2
 * checkpoint over the schema-1 file, then removes the archive.
 */
final class Legacy {
    /** The metadata key that marks a round the schema-1 archive did not hold. */
    static final String MISSING = "palimpsest.missing_from_archive";
    /** An append record holds rounds up to about this many bytes of text. */
    private static final int CHUNK_CHARS = 1 << 20;

    private Legacy() {
    }

    /** The records of a converted conversation and the state they replay to. */
    record Converted(List<LogRecord> records, ConversationState state) {
    }

    /** The archive's rounds in seq order, each once; a torn last line (no newline) is skipped. */
    static List<LegacyFormat.Round> readArchive(Path file, long maxBytes) throws IOException {
        FileIdentity id = FileIdentity.of(file);
        if (id == null) {
            return List.of();
        }
        NotRegularFileException.requireRegular(file, id);
        byte[] bytes;
        try (FileChannel ch = SegmentLog.openRead(file)) {
            if (ch.size() > maxBytes) {
                throw new PalimpsestException(FailureKind.TOO_LARGE, file + " is larger than "
                        + maxBytes + " bytes");
            }
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            SegmentLog.readFully(ch, b, 0);
            bytes = b.array();
        }
        TreeMap<Long, LegacyFormat.Round> rounds = new TreeMap<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\n') {
                LegacyFormat.Round r = LegacyFormat.decodeArchiveLine(bytes, start, i - start);
                rounds.putIfAbsent(r.seq(), r);
                start = i + 1;
            }
        }
        return List.copyOf(rounds.values());
    }

    private static long estimate(String text) {
        return (text.length() + 3) / 4;
    }

    /** Converts a schema-1 conversation; CORRUPT if its archive lacks compacted rounds. */
    static Converted convert(LegacyFormat.State s, List<LegacyFormat.Round> archived,
                             SegmentLog log) {
        TreeMap<Long, LegacyFormat.Round> compacted = new TreeMap<>();
        for (LegacyFormat.Round r : archived) {
            if (r.seq() <= s.compactedRounds()) {
                compacted.put(r.seq(), r);
            }
        }
        List<LegacyFormat.Round> all = new ArrayList<>();
        for (long seq = 1; seq <= s.compactedRounds(); seq++) {
            LegacyFormat.Round r = compacted.get(seq);
            // Schema 1 could lose an archived round (an archive deleted by hand, a fixture
            // without one). Its numbers stay taken, with empty texts that say so, rather than
            // renumbering every later message.
            all.add(r != null ? r : new LegacyFormat.Round(seq, "", "", s.updatedAt(),
                    java.util.Map.of(MISSING, "the schema-1 archive did not hold this round")));
        }
        all.addAll(s.recentRounds());
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).seq() != i + 1) {
                throw new PalimpsestException(FailureKind.CORRUPT, s.convId(), String.format(
                        "schema-1 conversation '%s' has recent round %d where %d was expected",
                        s.convId(), all.get(i).seq(), i + 1));
            }
        }
        if (all.size() != s.roundsTotal() || s.compactions() > s.compactedRounds()) {
            throw new PalimpsestException(FailureKind.CORRUPT, s.convId(), "schema-1"
                    + " conversation '" + s.convId() + "' has counters that its rounds contradict");
        }
        List<LogRecord> records = new ArrayList<>();
        List<StoredMessage> chunk = new ArrayList<>();
        long chars = 0;
        long seq = 1;
        long revision = 0;
        for (LegacyFormat.Round r : all) {
            Message user = Message.user(r.user()).withMetadata(r.metadata());
            Message assistant = Message.assistant(r.assistant());
            chunk.add(new StoredMessage(seq++, r.seq(), r.createdAt(), estimate(r.user()), user));
            chunk.add(new StoredMessage(seq++, r.seq(), r.createdAt(), estimate(r.assistant()),
                    assistant));
            chars += r.user().length() + r.assistant().length();
            if (chars >= CHUNK_CHARS) {
                records.add(new LogRecord.Append(++revision, r.createdAt(), chunk));
                chunk = new ArrayList<>();
                chars = 0;
            }
        }
        if (!chunk.isEmpty()) {
            records.add(new LogRecord.Append(++revision, s.updatedAt(), chunk));
        }
        Instant compactedAt = s.lastCompactedAt() != null ? s.lastCompactedAt() : s.updatedAt();
        for (long k = 1; k <= s.compactions(); k++) {
            boolean last = k == s.compactions();
            // Schema 1 kept only the last context: the earlier compactions fold one round each
            // with an empty one, so the counters carry over exactly.
            records.add(new LogRecord.Compaction(++revision, compactedAt,
                    last ? s.compactedRounds() : k, last ? s.compressedContext() : "",
                    last ? s.contextTokens() : 0));
        }
        for (long f = 0; f < s.compactionFailures(); f++) {
            records.add(new LogRecord.CompactionFailure(++revision, s.updatedAt()));
        }
        Replay replay = new Replay(ConversationState.empty(s.convId()));
        SegmentLog.Position nowhere = new SegmentLog.Position(1, 0);
        for (LogRecord record : records) {
            replay.apply(record, log, nowhere);
        }
        return new Converted(records, replay.state());
    }
}
