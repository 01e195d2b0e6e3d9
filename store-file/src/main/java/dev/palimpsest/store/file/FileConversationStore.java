package dev.palimpsest.store.file;

import dev.palimpsest.format.Checkpoint;
import dev.palimpsest.format.CheckpointHead;
import dev.palimpsest.format.FormatCodec;
import dev.palimpsest.format.LegacyFormat;
import dev.palimpsest.format.LogRecord;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationIds;
import dev.palimpsest.store.ConversationPage;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.SummaryPage;
import dev.palimpsest.store.spi.ChangeRules;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link ConversationStore} in a directory: per conversation, an append-only log of changes
 * (the source of truth) and a checkpoint of its state (the trusty-mpm state file), under
 * {@code <root>/sm/}. docs/durability.md tells the protocol; docs/format.md the files.
 *
 * <p>An append writes one framed record into zero-filled space and forces it to stable storage
 * before it returns; the checkpoint is rewritten atomically (temp file, fsync, rename, directory
 * fsync) at every compaction and once the log grew past {@link FileStoreOptions}'s bound since the
 * last one. Loading reads the checkpoint and replays the log after it. Writers of one
 * conversation exclude each other through its lock file, across threads and processes; readers
 * take the same lock while they read, so they never see a change half made.
 */
public final class FileConversationStore implements ConversationStore {
    /**
     * The store's logger, made when first used: every use is a warning of something out of the
     * ordinary, and making it (the logger finder looked up) is 4 ms of a cold start.
     */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(FileConversationStore.class.getName());

        private Log() {
        }
    }
    /** The largest checkpoint read; a state file beyond it is refused as too large. */
    private static final long MAX_CHECKPOINT_BYTES = Integer.MAX_VALUE - 64;
    /** How every checkpoint this store writes begins. */
    private static final byte[] V2_PREFIX = "{\n  \"schema_version\" : 2,"
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Path root;
    private final Path directory;
    private final FileStoreOptions options;
    private final FileOps ops;
    private volatile DirectorySync directorySync;
    /** Whether this store fsynced the root since it found or made {@code sm/}. */
    private volatile boolean rootSynced;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private volatile boolean closed;
    /** The lock files this store opened, which it closes when it closes if they are kept. */
    private final java.util.Set<Path> lockFilesOpened =
            java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** How often this store read a whole window (checkpoint and log), for the tests. */
    private final java.util.concurrent.atomic.AtomicLong windowReads =
            new java.util.concurrent.atomic.AtomicLong();
    /** How many log records this store read to learn message ids, for the tests. */
    private final java.util.concurrent.atomic.AtomicLong idRecordsRead =
            new java.util.concurrent.atomic.AtomicLong();
    /** How often the head in a lock file bore a load of this store out, for the tests. */
    private final java.util.concurrent.atomic.AtomicLong headLoads =
            new java.util.concurrent.atomic.AtomicLong();

    /**
     * What this store knows of one conversation as of one end of its log. The state is kept
     * mutable ({@link Replay}), so that an append costs a step per message instead of a copy and
     * a validation of the whole window; a {@link ConversationState} is made only for a load.
     */
    private static final class Cached {
        /** Whether this store has removed the temp files a killed writer may have left. */
        boolean tempsSwept;
        Replay live;
        /** The state as a value, made on first need after each change. */
        ConversationState snapshot;
        /** The last segment open for writing, or null. */
        FileChannel channel;
        long channelSegment;
        SegmentLog.End end;
        Object firstSegmentKey;
        /**
         * The conversation's incarnation when this was cached (see {@link ConversationLocks}); 0
         * if its lock file held none.
         */
        long incarnation;
        long recordsSinceCheckpoint;
        long bytesSinceCheckpoint;
        /** The size of the last checkpoint written or read; 0 if none. */
        long lastCheckpointBytes;
        /** The messages with a caller's id; built on first need (see {@link IdIndex}). */
        KnownIds ids;
        /** A schema-1 conversation not migrated yet: its records, written at its first write. */
        Legacy.Converted legacy;
        /** Where the log after the last checkpoint starts; segment 1, offset 0 without one. */
        SegmentLog.Position checkpointAt = new SegmentLog.Position(1, 0);

        Cached(ConversationState state) {
            live = new Replay(state);
            snapshot = state;
        }

        ConversationState state() {
            if (snapshot == null) {
                snapshot = live.state();
            }
            return snapshot;
        }

        boolean stored() {
            return live.revision() > 0;
        }

        void apply(LogRecord record, SegmentLog log, SegmentLog.Position at) {
            live.apply(record, log, at);
            snapshot = null;
        }

        void closeChannel() {
            FileChannel open = channel;
            if (open != null) {
                channel = null;
                try {
                    open.close();
                } catch (IOException e) {
                    // Only written and forced data matter, and every write was forced.
                }
                OpenSegments.closed(this);
            }
        }
    }

    private void evict(String convId) {
        Cached c = cache.remove(convId);
        if (c != null) {
            c.closeChannel();
        }
    }

    private void install(String convId, Cached c) {
        Cached old = cache.put(convId, c);
        if (old != null && old != c) {
            old.closeChannel();
        }
    }

    private FileConversationStore(Path root, FileStoreOptions options, FileOps ops) {
        this.root = root;
        this.directory = root.resolve("sm");
        this.options = options;
        this.ops = ops;
    }

    /**
     * {@return a store over {@code root} with the default options}
     *
     * @param root an existing directory; the store keeps its files in {@code root/sm/}
     * @throws PalimpsestException {@code NOT_FOUND} if {@code root} is not a directory
     */
    public static FileConversationStore open(Path root) {
        return open(root, FileStoreOptions.DEFAULTS);
    }

    /**
     * {@return a store over {@code root}}
     *
     * @param root    an existing directory; the store keeps its files in {@code root/sm/}
     * @param options the settings
     * @throws PalimpsestException {@code NOT_FOUND} if {@code root} is not a directory
     */
    public static FileConversationStore open(Path root, FileStoreOptions options) {
        return open(root, options, NioFileOps.INSTANCE);
    }

    static FileConversationStore open(Path root, FileStoreOptions options, FileOps ops) {
        if (root == null || options == null) {
            throw PalimpsestException.invalid("root and options must not be null");
        }
        if (!Files.isDirectory(root)) {
            throw new PalimpsestException(FailureKind.NOT_FOUND,
                    "store root " + root + " does not exist or is not a directory");
        }
        return new FileConversationStore(root.toAbsolutePath(), options, ops);
    }

    /** {@return the root directory} */
    public Path root() {
        return root;
    }

    /** {@return the settings} */
    public FileStoreOptions options() {
        return options;
    }

    /**
     * {@return the checkpoint (state file) of a conversation, whether or not it exists}
     *
     * @param convId the conversation
     */
    public Path checkpointFile(String convId) {
        return directory.resolve(ConversationIdCodec.stateName(ConversationIdCodec.stem(convId)));
    }

    // ---- locking and loading

    private SegmentLog log(String convId, String stem) {
        return new SegmentLog(directory, stem, convId, options.maxRecordBytes());
    }

    private void checkOpen() {
        if (closed) {
            throw PalimpsestException.invalid("the store over " + root + " is closed");
        }
    }

    /**
     * Whether {@code sm} exists; refuses it when it is something other than a directory (a
     * symbolic link, a file): the store never follows a link out of its root, and could not
     * tell what is stored. Asked by every operation, so a change under an open store is seen.
     */
    private boolean directoryExists(String convId) {
        try {
            // The usual answer from one lstat without the string-named attributes, which cost
            // as much again to parse; anything else is looked at closely below.
            if (Files.readAttributes(directory, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isDirectory()) {
                return true;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // Looked at again below, which reports it.
        }
        FileIdentity id;
        try {
            id = FileIdentity.of(directory);
        } catch (IOException e) {
            throw Failures.io(convId, "stat " + directory, e);
        }
        if (id != null && !id.directory()) {
            throw new PalimpsestException(FailureKind.IO, convId, "the store's directory "
                    + directory + " is " + NotRegularFileException.detail(id.kind())
                    .replace("not a regular file", "not a directory"));
        }
        return id != null;
    }

    @FunctionalInterface
    private interface Locked<T> {
        T run(String stem, SegmentLog log, Cached current) throws IOException;
    }

    /**
     * Runs {@code body} under the conversation's lock with its current state (null if it does not
     * exist). A reader ({@code write} false) creates nothing: without a lock file there is no
     * conversation.
     */
    private <T> T locked(String convId, boolean write, Locked<T> body) {
        return locked(convId, write, true, body);
    }

    /** Whether a conversation has a state file or a first log segment (of whatever kind). */
    private boolean hasFiles(String stem, SegmentLog log) {
        return Files.exists(directory.resolve(ConversationIdCodec.stateName(stem)),
                LinkOption.NOFOLLOW_LINKS)
                || Files.exists(log.segment(1), LinkOption.NOFOLLOW_LINKS);
    }

    /**
     * As {@link #locked(String, boolean, boolean, Locked)} for a change of a conversation that
     * must exist already: it creates no directory, and a lock file only for a conversation whose
     * files are there.
     */
    private <T> T lockedToChange(String convId, boolean needsWindow, Locked<T> body) {
        return locked(convId, false, true, needsWindow, body);
    }

    /**
     * As {@link #locked(String, boolean, Locked)}; with {@code needsWindow} false the state given
     * to {@code body} may hold only the checkpoint's head and the newest round
     * ({@link Replay#headOnly()}), which is all an append needs.
     */
    private <T> T locked(String convId, boolean write, boolean needsWindow, Locked<T> body) {
        return locked(convId, write, false, needsWindow, body);
    }

    /** What may answer under the lock before the conversation's state is read. */
    @FunctionalInterface
    private interface Peek<T> {
        /** {@return the answer, or empty to read the state and run the body} */
        Optional<T> run(String stem, SegmentLog log) throws IOException;
    }

    private <T> T locked(String convId, boolean write, boolean changes, boolean needsWindow,
                         Locked<T> body) {
        return locked(convId, write, changes, needsWindow, null, body);
    }

    // "try": the lock is a resource the body holds without naming it.
    @SuppressWarnings("try")
    private <T> T locked(String convId, boolean write, boolean changes, boolean needsWindow,
                         Peek<T> peek, Locked<T> body) {
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        SegmentLog log = log(convId, stem);
        Path lockFile = directory.resolve(ConversationIdCodec.lockName(stem));
        boolean directoryExists = directoryExists(convId);
        ConversationLocks.Held held;
        try {
            if (write) {
                ensureDirectory(directoryExists);
                held = ConversationLocks.lock(lockFile);
            } else {
                held = directoryExists ? ConversationLocks.lockIfExists(lockFile) : null;
                if (held == null && changes && directoryExists
                        && hasFiles(stem, log)) {
                    // A conversation without its lock file (a schema-1 one, or files copied
                    // without it) is changed under a lock all the same: the lock file is made.
                    ensureDirectory(true);
                    held = ConversationLocks.lock(lockFile);
                }
            }
        } catch (NotRegularFileException e) {
            throw new PalimpsestException(FailureKind.CORRUPT, convId, "lock file of '" + convId
                    + "' at " + lockFile + " is " + e.getMessage(), e);
        } catch (IOException e) {
            throw Failures.io(convId, "lock " + lockFile, e);
        }
        opened(held, lockFile);
        if (held == null) {
            try {
                // No lock file: never written by this store. A schema-1 state file (whose
                // writers replace it whole) may stand there; it is read without a lock.
                Cached legacy = directoryExists && hasFiles(stem, log)
                        ? current(convId, stem, log, true) : null;
                return body.run(stem, log, legacy);
            } catch (NotRegularFileException e) {
                throw new PalimpsestException(FailureKind.CORRUPT, convId, "a file of '"
                        + convId + "' at " + e.file() + " is " + e.getMessage(), e);
            } catch (IOException e) {
                throw Failures.io(convId, "read", e);
            }
        }
        try (ConversationLocks.Held lock = held) {
            if (peek != null) {
                Optional<T> answer = peek.run(stem, log);
                if (answer.isPresent()) {
                    return answer.get();
                }
            }
            Cached current = current(convId, stem, log, needsWindow);
            return body.run(stem, log, current);
        } catch (NotRegularFileException e) {
            evict(convId);
            throw new PalimpsestException(FailureKind.CORRUPT, convId, "a file of '" + convId
                    + "' at " + e.file() + " is " + e.getMessage(), e);
        } catch (IOException e) {
            evict(convId);
            throw Failures.io(convId, "read the log", e);
        } catch (RuntimeException | Error e) {
            if (!(e instanceof PalimpsestException p) || p.kind() != FailureKind.REVISION_MISMATCH
                    && p.kind() != FailureKind.CONFLICT && p.kind() != FailureKind.INVALID_INPUT
                    && p.kind() != FailureKind.NOT_FOUND && p.kind() != FailureKind.TOO_LARGE) {
                evict(convId);
            }
            throw e;
        }
    }

    private void ensureDirectory(boolean known) throws IOException {
        if (!known && !Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            try {
                NioFileOps.createPrivateDirectory(directory);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                    throw new IOException(directory + " is not a directory");
                }
            }
        }
    }

    /**
     * Fsyncs the root once per store, before the store makes its first log segment, even if
     * {@code sm/} was there already: its creator may have been killed between the mkdir and
     * this fsync, and a power loss could still take {@code sm/} away. Not before appends to a
     * segment that exists: its creator did this before it made it, so {@code sm/} is durable
     * in the root (a store opened for one append, as each CLI process is, saves an open, an
     * fsync of the root and a close).
     */
    private void syncRootOnce() throws IOException {
        if (!rootSynced) {
            ops.fsyncDirectory(root);
            rootSynced = true;
        }
    }

    private DirectorySync directorySync() {
        DirectorySync d = directorySync;
        if (d == null) {
            synchronized (this) {
                if (directorySync == null) {
                    directorySync = new DirectorySync(directory, ops);
                }
                d = directorySync;
            }
        }
        return d;
    }

    /**
     * The conversation's state as of the end of its log, from the cache when the log did not
     * change since (same first segment, nothing after the cached end), else by replaying what
     * was added, else from the checkpoint and the log. Null if the conversation does not exist.
     * Called under the conversation's lock.
     */
    private Cached current(String convId, String stem, SegmentLog log, boolean needsWindow)
            throws IOException {
        Cached c = cache.get(convId);
        Path lockFile = lockFile(stem);
        ConversationLocks.Fields fields = ConversationLocks.heldByCurrentThread(lockFile)
                ? ConversationLocks.fields(lockFile) : null;
        long incarnation = fields == null ? 0 : fields.incarnation();
        if (c != null && c.incarnation != incarnation) {
            // Files removed or replaced since it was cached, or a cache made before the
            // conversation had an incarnation: it says nothing about the files now.
            evict(convId);
            c = null;
        }
        if (c != null && incarnation != 0 && c.legacy == null && c.end != null) {
            // The same incarnation: the files at the names are the ones cached, which is known
            // without a stat of the log (see ConversationLocks on why that matters).
            boolean claimed = !c.end.tornTail()
                    && fields.claimSegment() == c.end.position().segment()
                    && fields.claimOffset() == c.end.position().offset();
            followAppends(convId, stem, log, c, null, needsWindow, claimed);
            return c.stored() ? c : null;
        }
        Path first = log.segment(1);
        FileIdentity firstId = FileIdentity.of(first);
        boolean cachedValid = firstId != null && c != null && c.legacy == null
                && c.firstSegmentKey != null && c.firstSegmentKey.equals(firstId.fileKey());
        Optional<LegacyFormat.State> legacy = cachedValid ? Optional.empty()
                : legacyState(convId, stem);
        if (firstId == null || legacy.isPresent()) {
            if (legacy.isPresent()) {
                // The first generation's files decide, even over a log that a migration killed
                // half-way left behind.
                Cached c1 = new Cached(ConversationState.empty(convId));
                c1.legacy = Legacy.convert(legacy.get(), Legacy.readArchive(
                        directory.resolve(ConversationIdCodec.archiveName(stem)),
                        MAX_CHECKPOINT_BYTES), log);
                c1.live = new Replay(c1.legacy.state());
                c1.snapshot = c1.legacy.state();
                c1.incarnation = incarnation;
                install(convId, c1);
                return c1;
            }
            evict(convId);
            Path checkpoint = directory.resolve(ConversationIdCodec.stateName(stem));
            if (FileIdentity.of(checkpoint) != null) {
                throw new PalimpsestException(FailureKind.CORRUPT, convId, "conversation '"
                        + convId + "' has a state file but no log: " + checkpoint);
            }
            return null;
        }
        NotRegularFileException.requireRegular(first, firstId);
        if (cachedValid) {
            followAppends(convId, stem, log, c, firstId, needsWindow, false);
            return c.stored() ? c : null;
        }
        Cached loaded = needsWindow ? loadFromFiles(convId, stem, log, firstId)
                : loadHead(convId, stem, log, firstId, fields);
        if (loaded == null) {
            evict(convId);
            return null;
        }
        loaded.incarnation = incarnation;
        install(convId, loaded);
        return loaded.stored() ? loaded : null;
    }

    /**
     * Brings a cached conversation whose files are the ones cached up to the end of its log:
     * replays what other processes appended, and reads the whole window if another process
     * compacted or the caller needs it. {@code firstId} is the first segment's identity, or null
     * when it was not looked at (it is then looked at only if the window is read);
     * {@code claimed}, that the lock file claims the cached end, so the log is not looked at.
     */
    private void followAppends(String convId, String stem, SegmentLog log, Cached c,
                               FileIdentity firstId, boolean needsWindow, boolean claimed)
            throws IOException {
        if (!claimed && !unchangedSince(log, c)) {
            // Another process appended: replay only what it added.
            long[] added = new long[2];
            try {
                c.end = log.read(c.end.position(), (record, at, next, bytes) -> {
                    c.apply(record, log, at);
                    added[0]++;
                    added[1] += bytes;
                    if (c.ids != null && record instanceof LogRecord.Append a) {
                        c.ids.add(a.messages());
                    }
                });
                c.recordsSinceCheckpoint += added[0];
                c.bytesSinceCheckpoint += added[1];
            } catch (Replay.NeedsWindow compacted) {
                // Another process compacted, which only the whole window can follow.
                fillWindow(convId, stem, log, c, firstIdentity(log, firstId));
            }
        }
        if (needsWindow && c.live.headOnly()) {
            fillWindow(convId, stem, log, c, firstIdentity(log, firstId));
        }
    }

    private static FileIdentity firstIdentity(SegmentLog log, FileIdentity known)
            throws IOException {
        if (known != null) {
            return known;
        }
        Path first = log.segment(1);
        FileIdentity id = FileIdentity.of(first);
        if (id == null) {
            throw new NoSuchFileException(first.toString(), null,
                    "the first log segment is gone although the conversation's incarnation is"
                            + " the same");
        }
        NotRegularFileException.requireRegular(first, id);
        return id;
    }

    /** The schema-1 state file of a conversation, if that is what stands at its name. */
    private Optional<LegacyFormat.State> legacyState(String convId, String stem)
            throws IOException {
        Path file = directory.resolve(ConversationIdCodec.stateName(stem));
        FileIdentity id = FileIdentity.of(file);
        if (id == null) {
            return Optional.empty();
        }
        NotRegularFileException.requireRegular(file, id);
        byte[] bytes;
        try (FileChannel ch = SegmentLog.openRead(file)) {
            ByteBuffer head = ByteBuffer.allocate(V2_PREFIX.length);
            SegmentLog.readFully(ch, head, 0);
            if (java.util.Arrays.equals(head.array(), V2_PREFIX)) {
                // What this store writes: not schema 1, and no need to read the rest.
                return Optional.empty();
            }
            ByteBuffer all = ByteBuffer.allocate((int) Math.min(ch.size(), MAX_CHECKPOINT_BYTES));
            SegmentLog.readFully(ch, all, 0);
            bytes = java.util.Arrays.copyOf(all.array(), all.position());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        int version;
        try {
            version = FormatCodec.schemaVersion(bytes);
        } catch (PalimpsestException e) {
            // Schema 1 allowed its fields in any order: schema_version need not come first.
            version = 1;
        }
        if (version != 1) {
            return Optional.empty();
        }
        LegacyFormat.State state;
        try {
            state = LegacyFormat.decodeState(bytes);
        } catch (PalimpsestException e) {
            if (FileIdentity.of(log(convId, stem).segment(1)) == null) {
                throw new PalimpsestException(FailureKind.CORRUPT, convId, "state file " + file
                        + " is unreadable: " + e.getMessage(), e);
            }
            return Optional.empty();
        }
        if (!state.convId().equals(convId)) {
            throw new PalimpsestException(FailureKind.CORRUPT, convId, "state file " + file
                    + " holds conversation '" + state.convId() + "'");
        }
        return Optional.of(state);
    }

    /**
     * Migrates a schema-1 conversation, under its lock, before its first change: any log a
     * killed migration left is removed, the records are written and forced, a schema-2
     * checkpoint replaces the schema-1 state file, and the archive is removed. A kill at any
     * step loads the same conversation: before the checkpoint's rename the schema-1 files
     * decide, after it the log.
     */
    private void migrate(String convId, String stem, SegmentLog log, Cached c)
            throws IOException {
        ConversationLocks.renewIncarnation(lockFile(stem));
        for (long s = 1; Files.exists(log.segment(s), LinkOption.NOFOLLOW_LINKS); s++) {
            if (s == 1) {
                c.closeChannel();
            }
            ops.deleteIfExists(log.segment(s));
        }
        c.end = null;
        Replay replay = new Replay(ConversationState.empty(convId));
        for (LogRecord record : c.legacy.records()) {
            SegmentLog.Position at = c.end == null ? new SegmentLog.Position(1, 0)
                    : c.end.position();
            writeRecord(convId, stem, log, c, FormatCodec.encodeRecord(record));
            replay.apply(record, log, at);
        }
        c.live = replay;
        c.snapshot = null;
        c.recordsSinceCheckpoint = 1;
        if (!writeCheckpoint(convId, stem, c)) {
            throw new PalimpsestException(FailureKind.IO, convId, "conversation '" + convId
                    + "' of schema 1 could not be migrated: its checkpoint was not written");
        }
        c.legacy = null;
        try {
            ops.deleteIfExists(directory.resolve(ConversationIdCodec.archiveName(stem)));
            directorySync().sync();
        } catch (IOException e) {
            Log.LOG.log(System.Logger.Level.WARNING, "archive of migrated '" + convId
                    + "' not removed: " + e + "; it is ignored, and check removes it");
        }
    }

    /** Gives every record of a conversation, from its log or, unmigrated, its schema-1 files. */
    private static void forEachRecord(Cached c, SegmentLog log, SegmentLog.Visitor visitor)
            throws IOException {
        if (c.legacy != null) {
            SegmentLog.Position nowhere = new SegmentLog.Position(1, 0);
            for (LogRecord r : c.legacy.records()) {
                visitor.record(r, nowhere, nowhere, 0);
            }
            return;
        }
        log.read(new SegmentLog.Position(1, 0), visitor);
    }

    /** Whether nothing was appended after the cached end: zeros there, no next segment. */
    private static boolean unchangedSince(SegmentLog log, Cached c) throws IOException {
        SegmentLog.End end = c.end;
        if (end.tornTail()) {
            return false;
        }
        // The next segment is almost never there (see mayExist on how that is asked cheaply).
        if (mayExist(log.segment(end.position().segment() + 1))) {
            return false;
        }
        ByteBuffer frame = ByteBuffer.allocate(SegmentLog.FRAME_HEADER);
        long at = end.position().offset();
        if (c.channel != null && c.channelSegment == end.position().segment()) {
            SegmentLog.readFully(c.channel, frame, at);
        } else {
            try (FileChannel ch = SegmentLog.openRead(log.segment(end.position().segment()))) {
                SegmentLog.readFully(ch, frame, at);
            } catch (NoSuchFileException e) {
                return false;
            }
        }
        for (int i = 0; i < frame.position(); i++) {
            if (frame.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether something may be at {@code file}, asked where the answer is almost always no: on
     * the default file system through {@link java.io.File#exists()}, which answers without
     * making an exception ({@code Files.exists} cost an append 15 to 20 µs); it follows links,
     * so a dangling link reads as nothing, and the read that later meets it refuses it. Other
     * file systems have no {@code File}: {@code Files.exists}, links not followed.
     */
    private static boolean mayExist(Path file) {
        if (file.getFileSystem() == java.nio.file.FileSystems.getDefault()) {
            return file.toFile().exists();
        }
        return Files.exists(file, LinkOption.NOFOLLOW_LINKS);
    }

    /** {@return how many log records this store read to learn ids}: what a test of them asks */
    long idRecordsRead() {
        return idRecordsRead.get();
    }

    /** {@return how often this store read a whole window}: what a test of the head reads asks */
    long windowReads() {
        return windowReads.get();
    }

    /** {@return how often a load was served by a lock file's head}: what a test of it asks */
    long headLoads() {
        return headLoads.get();
    }

    private Cached loadFromFiles(String convId, String stem, SegmentLog log, FileIdentity firstId)
            throws IOException {
        windowReads.incrementAndGet();
        Path checkpointFile = directory.resolve(ConversationIdCodec.stateName(stem));
        Optional<Checkpoint> checkpoint = readCheckpoint(convId, checkpointFile);
        ConversationState start = checkpoint.map(Checkpoint::state)
                .orElse(ConversationState.empty(convId));
        SegmentLog.Position from = checkpoint.map(cp -> new SegmentLog.Position(
                cp.logSegment(), cp.logOffset())).orElse(new SegmentLog.Position(1, 0));
        Replay replay = new Replay(start);
        long[] added = new long[2];
        SegmentLog.End end;
        try {
            end = log.read(from, (record, at, next, bytes) -> {
                replay.apply(record, log, at);
                added[0]++;
                added[1] += bytes;
            });
        } catch (PalimpsestException e) {
            if (checkpoint.isEmpty() || e.kind() != FailureKind.CORRUPT) {
                throw e;
            }
            // The checkpoint may not match the log (written by something else, or left over):
            // the log alone decides.
            Log.LOG.log(System.Logger.Level.WARNING, "checkpoint of '" + convId + "' does not match"
                    + " its log (" + e.getMessage() + "); replaying the whole log");
            return loadFromLogAlone(convId, log, firstId);
        }
        if (end == null) {
            return null;
        }
        Cached c = new Cached(replay.state());
        c.end = end;
        c.firstSegmentKey = firstId.fileKey();
        c.checkpointAt = from;
        if (checkpoint.isPresent()) {
            FileIdentity cp = FileIdentity.of(checkpointFile);
            c.lastCheckpointBytes = cp == null ? 0 : cp.size();
        }
        c.recordsSinceCheckpoint = added[0];
        c.bytesSinceCheckpoint = added[1];
        return c;
    }

    private Cached loadFromLogAlone(String convId, SegmentLog log, FileIdentity firstId)
            throws IOException {
        Replay replay = new Replay(ConversationState.empty(convId));
        long[] added = new long[2];
        SegmentLog.End end = log.read(new SegmentLog.Position(1, 0), (record, at, next, bytes) -> {
            replay.apply(record, log, at);
            added[0]++;
            added[1] += bytes;
        });
        if (end == null) {
            return null;
        }
        Cached c = new Cached(replay.state());
        c.end = end;
        c.firstSegmentKey = firstId.fileKey();
        // Forces a checkpoint at the next write, which replaces the one that did not match.
        c.recordsSinceCheckpoint = Math.max(added[0], options.checkpointEveryRecords());
        c.bytesSinceCheckpoint = added[1];
        return c;
    }

    /**
     * Replaces a cached state that holds only the head by the whole window, read from the
     * checkpoint and the log as a load does; what the cache knows besides (the open channel, the
     * message ids, the swept temps) is kept.
     */
    private void fillWindow(String convId, String stem, SegmentLog log, Cached c,
                            FileIdentity firstId) throws IOException {
        Cached full = loadFromFiles(convId, stem, log, firstId);
        if (full == null) {
            throw new PalimpsestException(FailureKind.CORRUPT, convId, "the log of '" + convId
                    + "' at " + log.segment(1) + " holds no record any more");
        }
        c.live = full.live;
        c.snapshot = full.snapshot;
        c.end = full.end;
        c.recordsSinceCheckpoint = full.recordsSinceCheckpoint;
        c.bytesSinceCheckpoint = full.bytesSinceCheckpoint;
        c.lastCheckpointBytes = full.lastCheckpointBytes;
        c.checkpointAt = full.checkpointAt;
    }

    /** How much of a checkpoint is read for its head: far more than the head ever takes. */
    private static final int HEAD_BYTES = 16 * 1024;

    /**
     * Where a load from a head starts: a revision, time and counters as of log position
     * {@code at}; {@code from}, a record at or before the one holding the newest round's first
     * message ({@code entry} when an index entry gave it, which its record must prove); the
     * checkpoint cadence as of {@code at}; and {@code trustedEnd}, the end of the log when the
     * lock file's claim bears the head out, else null.
     */
    private record Base(long revision, Instant updatedAt, Counters counters,
                        SegmentLog.Position at, SegmentLog.Position from,
                        Optional<SparseIndex.Entry> entry, long recordsSinceCheckpoint,
                        long bytesSinceCheckpoint, long lastCheckpointBytes,
                        SegmentLog.Position checkpointAt, SegmentLog.Position trustedEnd) {
    }

    /** Thrown when a base is not borne out by the log; carries no stack. */
    private static final class NotBorneOut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotBorneOut() {
            super(null, null, false, false);
        }
    }

    /**
     * What an append needs, without parsing the window: a head (the one in the lock file,
     * else the checkpoint's head), the newest round as of it, read from the log from the record
     * the head names (or the sparse index's entry for that round), and the records after it.
     * Anything out of the ordinary (no head, a head that the log does not bear out, no index
     * entry where one should be) loads the whole state instead, whose checks decide.
     */
    private Cached loadHead(String convId, String stem, SegmentLog log, FileIdentity firstId,
                            ConversationLocks.Fields fields) throws IOException {
        Optional<Base> fromLockFile = lockFileHeadBase(fields);
        if (fromLockFile.isPresent()) {
            try {
                Cached c = fromBase(convId, log, firstId, fromLockFile.get());
                headLoads.incrementAndGet();
                return c;
            } catch (NotBorneOut stale) {
                // Stale or foreign: the checkpoint's head may still do.
            }
        }
        Optional<Base> fromCheckpoint = checkpointBase(convId, stem);
        if (fromCheckpoint.isPresent()) {
            try {
                return fromBase(convId, log, firstId, fromCheckpoint.get());
            } catch (NotBorneOut stale) {
                // The whole state decides, below.
            }
        }
        return loadFromFiles(convId, stem, log, firstId);
    }

    /**
     * The base of the head in the lock file, if this thread holds the lock (and so read its
     * fields) and there is one. Its end is trusted as the log's end (see
     * {@link SegmentLog#read(SegmentLog.Position, SegmentLog.Position, SegmentLog.Position,
     * SegmentLog.Visitor)}) when it is the claimed end too.
     */
    private static Optional<Base> lockFileHeadBase(ConversationLocks.Fields fields) {
        if (fields == null) {
            return Optional.empty();
        }
        return fields.head().map(h -> new Base(h.revision(), h.updatedAt(), h.counters(),
                h.end(), h.newestRoundFrom(), Optional.empty(), h.recordsSinceCheckpoint(),
                h.bytesSinceCheckpoint(), h.lastCheckpointBytes(), h.checkpointAt(),
                fields.claims(h.end()) ? h.end() : null));
    }

    private Optional<Base> checkpointBase(String convId, String stem) throws IOException {
        Path checkpointFile = directory.resolve(ConversationIdCodec.stateName(stem));
        FileIdentity cpId = FileIdentity.of(checkpointFile);
        if (cpId == null || !cpId.regularFile()) {
            return Optional.empty();
        }
        Optional<CheckpointHead> read;
        try (FileChannel ch = SegmentLog.openRead(checkpointFile)) {
            ByteBuffer b = ByteBuffer.allocate((int) Math.min(HEAD_BYTES, ch.size()));
            SegmentLog.readFully(ch, b, 0);
            read = FormatCodec.decodeCheckpointHead(b.array(), b.position());
        } catch (NoSuchFileException e) {
            read = Optional.empty();
        }
        if (read.isEmpty() || !read.get().convId().equals(convId)) {
            return Optional.empty();
        }
        CheckpointHead head = read.get();
        long lastRound = head.counters().roundsTotal();
        Optional<SparseIndex.Entry> entry = lastRound == 0 ? Optional.empty()
                : SparseIndex.floorByRound(indexOf(stem), lastRound);
        if (lastRound > 1 && entry.isEmpty()
                && head.counters().messagesTotal() > SparseIndex.BLOCK) {
            // The index lacks the block the round starts in: finding it would scan the log.
            // (Round 1 starts the log: reading from there reads the round.)
            return Optional.empty();
        }
        SegmentLog.Position at = new SegmentLog.Position(head.logSegment(), head.logOffset());
        return Optional.of(new Base(head.revision(), head.updatedAt(), head.counters(), at,
                entry.map(SparseIndex.Entry::position).orElse(new SegmentLog.Position(1, 0)),
                entry, 0, 0, cpId.size(), at, null));
    }

    /**
     * The cached state from a base: the newest round collected from {@code base.from()} up to
     * {@code base.at()}, the records after it replayed.
     *
     * @return the state, or null if the log holds no record
     * @throws NotBorneOut if the log does not bear the base out
     */
    private Cached fromBase(String convId, SegmentLog log, FileIdentity firstId, Base base)
            throws IOException {
        long lastRound = base.counters().roundsTotal();
        List<StoredMessage> newest = new ArrayList<>();
        Replay[] replay = {null};
        long[] lastRevision = {0};
        long[] added = new long[2];
        SegmentLog.End end;
        try {
            // What a load would replay but this does not decode is checked by its frames, so
            // that damage there fails this as it fails a load.
            SegmentLog.Position checkFrom = before(base.checkpointAt(), base.from())
                    ? base.checkpointAt() : base.from();
            boolean[] proven = {base.entry().isEmpty()};
            end = log.read(checkFrom, base.from(), base.trustedEnd(), (record, at, next,
                                                                       bytes) -> {
                if (!proven[0]) {
                    if (!(record instanceof LogRecord.Append a) || !at.equals(base.from())
                            || a.messages().get(0).seq() != base.entry().get().messageSeq()) {
                        throw new NotBorneOut();
                    }
                    proven[0] = true;
                }
                if (before(at, base.at())) {
                    if (record instanceof LogRecord.Append a) {
                        for (StoredMessage m : a.messages()) {
                            if (m.roundSeq() == lastRound) {
                                newest.add(m);
                            }
                        }
                    }
                    lastRevision[0] = record.revision();
                    return;
                }
                if (replay[0] == null) {
                    replay[0] = headReplay(convId, base, newest, lastRevision[0], at);
                }
                replay[0].apply(record, log, at);
                added[0]++;
                added[1] += bytes;
            });
            if (end != null && replay[0] == null) {
                replay[0] = headReplay(convId, base, newest, lastRevision[0], end.position());
            }
        } catch (Replay.NeedsWindow | PalimpsestException e) {
            // A compaction after the base, or a base the log does not bear out (a log that
            // is damaged fails the same way in the whole load, which names the damage).
            throw new NotBorneOut();
        }
        if (end == null) {
            return null;
        }
        Cached c = new Cached(ConversationState.empty(convId));
        c.live = replay[0];
        c.snapshot = null;
        c.end = end;
        c.firstSegmentKey = firstId.fileKey();
        c.lastCheckpointBytes = base.lastCheckpointBytes();
        c.recordsSinceCheckpoint = base.recordsSinceCheckpoint() + added[0];
        c.bytesSinceCheckpoint = base.bytesSinceCheckpoint() + added[1];
        c.checkpointAt = base.checkpointAt();
        return c;
    }

    /**
     * The replay from a base, once the log reached its position: the log must have a record
     * boundary there and end, just before it, at the base's revision.
     */
    private static Replay headReplay(String convId, Base base, List<StoredMessage> newest,
                                     long revisionBefore, SegmentLog.Position reached) {
        if (!reached.equals(base.at()) || revisionBefore != base.revision()) {
            throw new NotBorneOut();
        }
        long lastRound = base.counters().roundsTotal();
        try {
            return Replay.ofHead(convId, base.revision(), base.updatedAt(), base.counters(),
                    lastRound == 0 ? Optional.empty() : Optional.of(new Round(lastRound, newest)),
                    base.from());
        } catch (PalimpsestException e) {
            throw new NotBorneOut();
        }
    }

    private static boolean before(SegmentLog.Position a, SegmentLog.Position b) {
        return a.segment() < b.segment()
                || a.segment() == b.segment() && a.offset() < b.offset();
    }

    /** The checkpoint, or empty if there is none or it cannot be read (the log decides then). */
    private Optional<Checkpoint> readCheckpoint(String convId, Path file) throws IOException {
        FileIdentity id = FileIdentity.of(file);
        if (id == null) {
            return Optional.empty();
        }
        NotRegularFileException.requireRegular(file, id);
        Checkpoint c;
        try (FileChannel ch = SegmentLog.openRead(file)) {
            long size = ch.size();
            if (size > MAX_CHECKPOINT_BYTES) {
                Log.LOG.log(System.Logger.Level.WARNING, "checkpoint " + file + " is too large ("
                        + size + " bytes); replaying the log");
                return Optional.empty();
            }
            try {
                // Streamed, so that a 4 MB window is held once, as the state, not as bytes too.
                c = FormatCodec.decodeCheckpoint(new java.io.BufferedInputStream(
                        java.nio.channels.Channels.newInputStream(ch), 64 * 1024));
                if (!c.state().convId().equals(convId)) {
                    throw new PalimpsestException(FailureKind.CORRUPT, convId, "it is the state"
                            + " of '" + c.state().convId() + "'");
                }
            } catch (PalimpsestException e) {
                ByteBuffer head = ByteBuffer.allocate((int) Math.min(HEAD_BYTES, size));
                SegmentLog.readFully(ch, head, 0);
                byte[] prefix = java.util.Arrays.copyOf(head.array(), head.position());
                if (FormatCodec.schemaVersion(bytesOrEmpty(prefix)) > FormatCodec.SCHEMA_VERSION) {
                    throw new PalimpsestException(FailureKind.CORRUPT, convId, "state file " + file
                            + " is of a newer schema than this Palimpsest reads; upgrade it", e);
                }
                Log.LOG.log(System.Logger.Level.WARNING, "checkpoint " + file + " is unreadable ("
                        + e.getMessage() + "); replaying the log");
                return Optional.empty();
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(c);
    }

    private static byte[] bytesOrEmpty(byte[] bytes) {
        try {
            FormatCodec.schemaVersion(bytes);
            return bytes;
        } catch (PalimpsestException e) {
            return "{\"schema_version\":1}".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    // ---- writing

    /**
     * Appends one record durably and moves {@code c}'s end past it. A conversation without a log
     * ({@code c.end} null) gets its first segment first. Returns where the record's frame starts.
     */
    private SegmentLog.Position writeRecord(String convId, String stem, SegmentLog log, Cached c,
                                            byte[] payload) throws IOException {
        int frame = SegmentLog.FRAME_HEADER + payload.length;
        if (!c.tempsSwept) {
            // Under the conversation's lock no other writer is creating its temp files, so the
            // ones there were left by a writer killed mid-write: the first write of each store
            // removes them (two unlinks, once), or a kill loop would leave one per kill.
            ops.deleteIfExists(directory.resolve(checkpointTemp(stem)));
            ops.deleteIfExists(directory.resolve(segmentTemp(stem)));
            c.tempsSwept = true;
        }
        if (payload.length > options.maxRecordBytes()) {
            throw new PalimpsestException(FailureKind.TOO_LARGE, convId, String.format(
                    "append to '%s' is %d bytes as a log record, the limit is %d", convId,
                    payload.length, options.maxRecordBytes()));
        }
        if (c.end == null || c.incarnation == 0) {
            // A first segment about to be made (perhaps anew, over one whose first append never
            // finished), or a lock file that holds no incarnation yet: caches of what was there
            // must not be taken for what will be.
            c.incarnation = ConversationLocks.renewIncarnation(lockFile(stem));
        }
        SegmentLog.End end = c.end;
        boolean rotates = end != null && end.position().offset() > log.headerLength()
                && end.position().offset() + frame > options.segmentBytes();
        try {
            // Before the log changes: the end it will have (see ConversationLocks.claim).
            ConversationLocks.claim(lockFile(stem), end == null ? 1 : rotates
                    ? end.position().segment() + 1 : end.position().segment(),
                    (end == null || rotates ? log.headerLength() : end.position().offset())
                            + frame);
        } catch (IOException e) {
            throw Failures.io(convId, "claim the log's end in " + lockFile(stem), e);
        }
        long segment;
        long offset;
        long size;
        boolean torn;
        boolean created = true;
        if (end == null) {
            segment = 1;
            c.closeChannel();
            createSegment(convId, stem, log, 1);
            c.firstSegmentKey = FileIdentity.of(log.segment(1)).fileKey();
            offset = log.headerLength();
            size = offset + options.preallocateBytes();
            torn = false;
        } else {
            segment = end.position().segment();
            offset = end.position().offset();
            size = end.segmentSize();
            torn = end.tornTail();
            created = false;
            if (rotates) {
                if (torn) {
                    // What a torn append left would read as damage once a later segment
                    // exists: zero it, durably, before the log moves on.
                    FileChannel old = writeChannel(c, stem, log, segment);
                    try {
                        writeZeros(old, offset, size);
                        ops.forceData(old);
                    } catch (IOException e) {
                        c.closeChannel();
                        throw Failures.io(convId, "zero the torn tail of "
                                + log.segment(segment), e);
                    }
                }
                created = true;
                segment++;
                c.closeChannel();
                createSegment(convId, stem, log, segment);
                offset = log.headerLength();
                size = offset + options.preallocateBytes();
                torn = false;
            }
        }
        FileChannel ch = writeChannel(c, stem, log, segment);
        ByteBuffer b = ByteBuffer.allocate(frame);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(payload);
        b.putInt(payload.length).putInt((int) crc.getValue()).put(payload).flip();
        long recordEnd = offset + frame;
        try {
            if (torn) {
                // What a torn append left: zero it, so no byte of it can read as a frame.
                writeZeros(ch, recordEnd, size);
            }
            while (b.hasRemaining()) {
                ch.write(b, offset + b.position());
            }
            long newSize = size;
            if (recordEnd + SegmentLog.FRAME_HEADER > size) {
                newSize = recordEnd + Math.max(SegmentLog.FRAME_HEADER,
                        options.preallocateBytes());
                writeZeros(ch, Math.max(size, recordEnd), newSize);
            }
            ops.forceData(ch);
            c.end = new SegmentLog.End(new SegmentLog.Position(segment, recordEnd), newSize,
                    false);
        } catch (IOException e) {
            c.closeChannel();
            throw Failures.durabilityUnknown(convId, "append to " + log.segment(segment), e);
        }
        if (!created && offset == log.headerLength()) {
            // The first record of a segment another writer made: it may have been killed
            // between the segment's rename and its fsync of sm/, which is then done here.
            try {
                directorySync().sync();
            } catch (IOException e) {
                throw Failures.durabilityUnknown(convId, "fsync " + directory, e);
            }
        }
        return new SegmentLog.Position(segment, offset);
    }

    /** The cached channel of {@code segment}, opened (links not followed) if needed. */
    private FileChannel writeChannel(Cached c, String stem, SegmentLog log, long segment)
            throws IOException {
        if (c.channel != null && c.channel.isOpen() && c.channelSegment == segment) {
            OpenSegments.written(c);
            return c.channel;
        }
        c.closeChannel();
        Path file = log.segment(segment);
        NotRegularFileException.requireRegular(file, FileIdentity.of(file));
        c.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ,
                LinkOption.NOFOLLOW_LINKS);
        OpenSegments.opened(c, lockFile(stem), c::closeChannel);
        c.channelSegment = segment;
        return c.channel;
    }

    private static void writeZeros(FileChannel ch, long from, long to) throws IOException {
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(64 * 1024, Math.max(0, to - from)));
        for (long p = from; p < to; ) {
            zeros.clear();
            zeros.limit((int) Math.min(zeros.capacity(), to - p));
            p += ch.write(zeros, p);
        }
    }

    /**
     * Creates a segment with its header and zero-filled space, under a temp name first, so that a
     * crash never leaves a segment whose header is cut short.
     */
    private void createSegment(String convId, String stem, SegmentLog log, long segment)
            throws IOException {
        Path target = log.segment(segment);
        Path temp = directory.resolve(segmentTemp(stem));
        try {
            syncRootOnce();
        } catch (IOException e) {
            throw Failures.io(convId, "fsync " + root, e);
        }
        try {
            ops.deleteIfExists(temp); // a killed creator's, never another live writer's
            FileChannel ch = ops.createNew(temp);
            try (ch) {
                byte[] header = log.header(segment);
                ops.write(ch, ByteBuffer.wrap(header));
                writeZeros(ch, header.length, header.length + (long) options.preallocateBytes());
                ops.force(ch);
            }
            ops.moveAtomically(temp, target);
        } catch (IOException e) {
            try {
                ops.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw Failures.io(convId, "create log segment " + target, e);
        }
        try {
            directorySync().sync();
        } catch (IOException e) {
            throw Failures.durabilityUnknown(convId, "fsync " + directory, e);
        }
    }

    /**
     * The temp name of a checkpoint being written. Fixed per conversation, since it is only
     * written under the conversation's lock: a later writer finds (and removes) what a killed
     * one left, without listing the directory.
     */
    private static String checkpointTemp(String stem) {
        return ConversationIdCodec.tempName(stem, 0);
    }

    /** The temp name of a log segment being created; fixed for the same reason. */
    private static String segmentTemp(String stem) {
        return ConversationIdCodec.tempName(stem, 1);
    }

    private boolean writeCheckpoint(String convId, String stem, Cached c) {
        Path target = directory.resolve(ConversationIdCodec.stateName(stem));
        Path temp = directory.resolve(checkpointTemp(stem));
        byte[] bytes = FormatCodec.encodeCheckpoint(new Checkpoint(c.state(),
                c.end.position().segment(), c.end.position().offset()));
        try {
            try {
                ops.deleteIfExists(temp); // a killed writer's, never another live writer's
                FileChannel ch = ops.createNew(temp);
                try (ch) {
                    ops.write(ch, ByteBuffer.wrap(bytes));
                    ops.force(ch);
                }
                ops.moveAtomically(temp, target);
            } catch (IOException e) {
                try {
                    ops.deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            directorySync().sync();
            c.checkpointAt = c.end.position();
            c.recordsSinceCheckpoint = 0;
            c.bytesSinceCheckpoint = 0;
            c.lastCheckpointBytes = bytes.length;
            return true;
        } catch (IOException e) {
            // The change is durable in the log, which is the source of truth; the checkpoint is
            // tried again at the next change, and a load replays the log from the older one.
            Log.LOG.log(System.Logger.Level.WARNING, "checkpoint of '" + convId + "' not written to "
                    + target + ": " + e + "; the log holds every change");
            return false;
        }
    }

    private void committed(String convId, String stem, SegmentLog log, Cached c, int frameBytes,
                           boolean checkpointNow) {
        c.recordsSinceCheckpoint++;
        c.bytesSinceCheckpoint += frameBytes;
        boolean due = c.recordsSinceCheckpoint >= options.checkpointEveryRecords()
                || c.bytesSinceCheckpoint >= options.checkpointEveryBytes();
        // A checkpoint rewrites the whole window: unless every change is to be checkpointed,
        // wait until the log since the last one holds a quarter of its size, so that a 4 MB
        // window is not rewritten every few hundred small appends (at most 4 bytes of
        // checkpoint per byte of log, and a load replays at most a quarter of a checkpoint's
        // worth of log beyond the bounds).
        boolean amortized = options.checkpointEveryRecords() == 1
                || c.bytesSinceCheckpoint * 4 >= c.lastCheckpointBytes;
        if (checkpointNow || due && amortized) {
            if (c.live.headOnly()) {
                // The checkpoint holds the window: read it once, now, for the new one.
                try {
                    fillWindow(convId, stem, log, c, FileIdentity.of(log.segment(1)));
                } catch (IOException | RuntimeException e) {
                    Log.LOG.log(System.Logger.Level.WARNING, "checkpoint of '" + convId + "' not"
                            + " written: its window could not be read (" + e + "); the log"
                            + " holds every change");
                    return;
                }
            }
            writeCheckpoint(convId, stem, c);
        }
        writeHead(convId, stem, c);
        OpenSegments.trim(c, c::closeChannel);
    }

    /**
     * Rewrites the head in the conversation's lock file for the end of the log just written,
     * unforced: it is derived data, so a failure only logs, and a crash before it reaches the
     * disk leaves a stale head, which a reader finds stale and goes around.
     */
    private void writeHead(String convId, String stem, Cached c) {
        SegmentLog.Position from = c.live.newestRoundFrom();
        long rounds = c.live.counters().roundsTotal();
        if (from == null && rounds > 1) {
            from = SparseIndex.floorByRound(indexOf(stem), rounds)
                    .map(SparseIndex.Entry::position).orElse(null);
        }
        if (from == null && rounds <= 1) {
            from = new SegmentLog.Position(1, 0);
        }
        Path lockFile = lockFile(stem);
        try {
            if (from == null) {
                // Not known without reading the log: no head rather than a wrong one.
                ConversationLocks.clearAfterIncarnation(lockFile, true);
                return;
            }
            ConversationLocks.writeHead(lockFile, HeadBlock.encode(c.incarnation,
                    new HeadBlock.Head(c.live.revision(), c.live.updatedAt(),
                            c.live.counters(), c.end.position(), from,
                            c.recordsSinceCheckpoint, c.bytesSinceCheckpoint,
                            c.lastCheckpointBytes, c.checkpointAt)));
        } catch (IOException | RuntimeException e) {
            Log.LOG.log(System.Logger.Level.WARNING, "head of '" + convId + "' not written to "
                    + lockFile + ": " + e + "; stores opened later read the checkpoint instead");
        }
    }

    private static Cached newCached(String convId) {
        Cached c = new Cached(ConversationState.empty(convId));
        c.ids = KnownIds.exactOnly();
        return c;
    }

    // ---- message ids

    /**
     * The message stored under a caller's id, or null: known exactly, or found through the id
     * index's hash and checked against the message at that seq.
     */
    private StoredMessage messageWithId(String stem, Cached c, SegmentLog log, String id,
                                        boolean writes) throws IOException {
        KnownIds known = ids(stem, c, log, writes);
        StoredMessage m = known.exact(id);
        if (m != null) {
            return m;
        }
        for (long seq : known.candidates(id)) {
            StoredMessage at = messageAt(stem, c, log, seq);
            if (at != null && at.message().id().filter(id::equals).isPresent()) {
                known.remember(id, at);
                return at;
            }
        }
        return null;
    }

    /**
     * The ids of a conversation, on first need: the id index's hashes and the log after the
     * seq through which the index is complete (the whole log without one). A write
     * ({@code writes}) then brings the index up to the log's end, or makes it anew when it was
     * missing, of another incarnation or damaged; a read changes no file.
     */
    private KnownIds ids(String stem, Cached c, SegmentLog log, boolean writes)
            throws IOException {
        if (c.ids != null) {
            return c.ids;
        }
        long end = c.live.counters().messagesTotal();
        Path file = idIndexFile(stem);
        IdIndex.Contents index = new IdIndex.Contents(IdIndex.HashedIds.NONE, 0, false);
        if (c.legacy == null) {
            try {
                index = IdIndex.read(file, c.incarnation, end * 2);
            } catch (IOException | RuntimeException e) {
                Log.LOG.log(System.Logger.Level.DEBUG, "id index " + file + " not read: " + e
                        + "; reading the log instead");
            }
            if (index.through() > end) {
                // More than the log holds: not this log's index, so none of it is trusted.
                index = new IdIndex.Contents(IdIndex.HashedIds.NONE, 0, false);
            }
        }
        KnownIds known = new KnownIds(index.hashed(), index.through());
        long from = index.through() + 1;
        if (from <= end) {
            readFrom(c, log, index.through() == 0 ? Optional.empty()
                    : SparseIndex.floorByMessage(indexOf(stem), from),
                    (record, at, next, bytes) -> {
                        idRecordsRead.incrementAndGet();
                        if (record instanceof LogRecord.Append a) {
                            known.add(a.messages());
                        }
                    });
        }
        c.ids = known;
        if (writes && c.legacy == null && c.incarnation != 0 && end > 0
                && (!index.clean() || index.through() < end)) {
            try {
                if (index.clean() && index.through() > 0) {
                    IdIndex.append(file, c.incarnation, known.entries(index.through(), end), end);
                } else {
                    IdIndex.replace(file, c.incarnation, known.allEntries(end), end);
                }
            } catch (IOException | RuntimeException e) {
                Log.LOG.log(System.Logger.Level.WARNING, "id index " + file + " not written: " + e
                        + "; stores opened later read more of the log, and a later write "
                        + "makes it again");
            }
        }
        return known;
    }

    /**
     * Adds the batch of an append record that carries ids to the id index, once the record is
     * durable: after the batches the index holds, with those of appends it missed (known
     * exactly here), or as a new index when this store knows every id. A failure only costs
     * stores opened later a longer read of the log, so it is logged, not thrown.
     */
    private void updateIdIndex(String stem, Cached c, List<StoredMessage> appended) {
        if (c.ids == null || c.legacy != null || c.incarnation == 0
                || appended.stream().noneMatch(m -> m.message().id().isPresent())) {
            return;
        }
        long last = appended.get(appended.size() - 1).seq();
        Path file = idIndexFile(stem);
        try {
            long through = IdIndex.through(file, c.incarnation);
            if (through >= c.ids.hashedThrough() && through >= 0 && through < last) {
                IdIndex.append(file, c.incarnation, c.ids.entries(through, last), last);
            } else if (through < 0 && c.ids.hashedThrough() == 0) {
                IdIndex.replace(file, c.incarnation, c.ids.allEntries(last), last);
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.log(System.Logger.Level.WARNING, "id index " + file + " not updated: " + e
                    + "; stores opened later read more of the log, and a later write makes "
                    + "it again");
        }
    }

    /** The message at {@code seq}: from the newest round (a retry's), else from the log. */
    private StoredMessage messageAt(String stem, Cached c, SegmentLog log, long seq)
            throws IOException {
        Optional<Round> newest = c.live.lastRound();
        if (newest.isPresent()) {
            for (StoredMessage m : newest.get().messages()) {
                if (m.seq() == seq) {
                    return m;
                }
            }
        }
        List<StoredMessage> one = messagesFromLog(stem, c, log, seq, 1);
        return !one.isEmpty() && one.get(0).seq() == seq ? one.get(0) : null;
    }

    private Path idIndexFile(String stem) {
        return directory.resolve(ConversationIdCodec.idIndexName(stem));
    }

    // ---- the sparse index

    /**
     * Adds the index entry of an append record that holds a block's first message, or rebuilds
     * the index if it lacks earlier blocks. A failure only costs later reads a longer scan: the
     * record is durable already, so it is logged, not thrown.
     */
    private void updateIndex(String convId, String stem, SegmentLog log, Cached c,
                             List<StoredMessage> appended, SegmentLog.Position at) {
        long first = appended.get(0).seq();
        long last = appended.get(appended.size() - 1).seq();
        if (!SparseIndex.startsBlock(first, last) || c.legacy != null) {
            return;
        }
        Path file = directory.resolve(ConversationIdCodec.indexName(stem));
        try {
            List<SparseIndex.Entry> entries = SparseIndex.read(file);
            if (SparseIndex.completeBefore(entries, first)) {
                SparseIndex.append(file, List.of(new SparseIndex.Entry(first, last,
                        appended.get(0).roundSeq(), at)));
            } else {
                SparseIndex.rewrite(file, indexEntries(log));
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.log(System.Logger.Level.WARNING, "sparse index of '" + convId + "' not updated: "
                    + e + "; reads scan its log instead, and a later write rebuilds it");
        }
    }

    /** The index entries of a whole log, read from segment 1. */
    private static List<SparseIndex.Entry> indexEntries(SegmentLog log) throws IOException {
        List<SparseIndex.Entry> out = new ArrayList<>();
        log.read(new SegmentLog.Position(1, 0), (record, at, next, bytes) -> {
            if (record instanceof LogRecord.Append a) {
                long first = a.messages().get(0).seq();
                long last = a.messages().get(a.messages().size() - 1).seq();
                if (SparseIndex.startsBlock(first, last)) {
                    out.add(new SparseIndex.Entry(first, last, a.messages().get(0).roundSeq(),
                            at));
                }
            }
        });
        return out;
    }

    /** Thrown when the record at an index entry's position is not the one it names. */
    private static final class StaleIndex extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StaleIndex() {
            super(null, null, false, false);
        }
    }

    /**
     * Gives the records from the one {@code entry} points at on, once that record proves the
     * entry right; from the log's start when there is no entry, or it is stale or unreadable.
     */
    private void readFrom(Cached c, SegmentLog log, Optional<SparseIndex.Entry> entry,
                          SegmentLog.Visitor visitor) throws IOException {
        if (c.legacy != null || entry.isEmpty()) {
            forEachRecord(c, log, visitor);
            return;
        }
        SparseIndex.Entry e = entry.get();
        boolean[] proven = {false};
        try {
            log.read(e.position(), (record, at, next, bytes) -> {
                if (!proven[0]) {
                    if (!(record instanceof LogRecord.Append a) || !at.equals(e.position())
                            || a.messages().get(0).seq() != e.messageSeq()) {
                        throw new StaleIndex();
                    }
                    proven[0] = true;
                }
                visitor.record(record, at, next, bytes);
            });
        } catch (StaleIndex | PalimpsestException | IOException failure) {
            if (proven[0]) {
                throw failure;
            }
            proven[0] = false;
        }
        if (!proven[0]) {
            Log.LOG.log(System.Logger.Level.DEBUG, "sparse index of " + log.segment(1).getFileName()
                    + " is stale at " + e + "; scanning the log");
            forEachRecord(c, log, visitor);
        }
    }

    private List<SparseIndex.Entry> indexOf(String stem) {
        try {
            return SparseIndex.read(directory.resolve(ConversationIdCodec.indexName(stem)));
        } catch (IOException e) {
            return List.of();
        }
    }

    // ---- the API

    @Override
    public Optional<ConversationState> load(String convId) {
        return locked(convId, false, (stem, log, c) -> c == null ? Optional.empty()
                : Optional.of(c.state()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Reads the head in the lock file and the 8 bytes of the log at its end when the head is
     * borne out by them (nothing follows), else the head and the newest round as an append does;
     * never the window: listing 10,000 conversations of 4 MB each reads a few hundred bytes of
     * each. It looks for no damage in the log (a load and {@link #check} do).
     */
    @Override
    public Optional<ConversationSummary> summary(String convId) {
        return locked(convId, false, false, false, (stem, log) -> summaryFromHead(convId, stem,
                log), (stem, log, c) -> c == null ? Optional.empty()
                : Optional.of(new ConversationSummary(convId, c.live.revision(),
                        c.live.updatedAt(), c.live.counters())));
    }

    /**
     * A summary from the head in the lock file alone, when the log bears its end out at a glance:
     * nothing follows it (a zero frame there, no next segment). The head is written only after
     * the records it counts were forced, so the log holds at least what it says; the zero frame
     * says the log holds no more. Unlike a load, this reads no record: damage inside the log, or
     * behind its end, is found by a load or by {@code check}, not by a listing. Empty (the
     * caller then loads the head as an append does) when the conversation is cached, has no
     * valid head of its incarnation, or anything follows the head's end.
     */
    private Optional<Optional<ConversationSummary>> summaryFromHead(String convId, String stem,
                                                                   SegmentLog log)
            throws IOException {
        Path lockFile = lockFile(stem);
        if (cache.containsKey(convId) || !ConversationLocks.heldByCurrentThread(lockFile)) {
            return Optional.empty();
        }
        Optional<HeadBlock.Head> read = ConversationLocks.fields(lockFile).head();
        if (read.isEmpty()) {
            return Optional.empty();
        }
        HeadBlock.Head head = read.get();
        SegmentLog.Position end = head.end();
        if (mayExist(log.segment(end.segment() + 1))
                || !readableOrAbsent(directory.resolve(ConversationIdCodec.stateName(stem)))
                || end.segment() > 1 && notRegularFile(log.segment(1), false)) {
            // More log, or a file a load would refuse (a FIFO at the checkpoint's name, say):
            // the load decides, so that a listing skips what no other command can read.
            return Optional.empty();
        }
        Path segment = log.segment(end.segment());
        FileIdentity id = FileIdentity.of(segment);
        if (id == null || !id.regularFile()) {
            return Optional.empty(); // the load decides, and reports
        }
        ByteBuffer frame = ByteBuffer.allocate(SegmentLog.FRAME_HEADER);
        try (FileChannel ch = SegmentLog.openRead(segment)) {
            SegmentLog.readFully(ch, frame, end.offset());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (frame.hasRemaining()) {
            return Optional.empty();
        }
        for (int i = 0; i < frame.capacity(); i++) {
            if (frame.get(i) != 0) {
                return Optional.empty();
            }
        }
        headLoads.incrementAndGet();
        return Optional.of(Optional.of(new ConversationSummary(convId, head.revision(),
                head.updatedAt(), head.counters())));
    }

    @Override
    public AppendResult append(AppendRequest request) {
        String convId = request.convId();
        return locked(convId, true, false, (stem, log, existing) -> {
            // A log whose first append never finished counts as none: it is made again.
            Cached c = existing != null ? existing : newCached(convId);
            ChangeRules.History history = new ChangeRules.History() {
                @Override
                public long revision() {
                    return c.live.revision();
                }

                @Override
                public Counters counters() {
                    return c.live.counters();
                }

                @Override
                public Optional<Round> lastRound() {
                    return c.live.lastRound();
                }

                @Override
                public Optional<StoredMessage> messageById(String messageId) {
                    try {
                        return Optional.ofNullable(messageWithId(stem, c, log, messageId,
                                true));
                    } catch (IOException e) {
                        throw Failures.io(convId, "read the log", e);
                    }
                }
            };
            ChangeRules.AppendPlan plan = ChangeRules.planAppend(request, history);
            if (plan.changes() && c.legacy != null) {
                migrate(convId, stem, log, c);
            }
            if (!plan.changes()) {
                return new AppendResult(convId, c.live.revision(), plan.results(),
                        plan.alreadyStored(), c.live.counters());
            }
            long revision = c.live.revision() + 1;
            LogRecord record = new LogRecord.Append(revision, request.at(), plan.toAppend());
            byte[] payload = FormatCodec.encodeRecord(record);
            SegmentLog.Position at = c.end == null ? null : c.end.position();
            SegmentLog.Position written = writeRecord(convId, stem, log, c, payload);
            if (existing == null) {
                install(convId, c);
            }
            c.apply(record, log, at == null ? c.end.position() : at);
            if (c.ids != null) {
                c.ids.add(plan.toAppend());
            }
            updateIndex(convId, stem, log, c, plan.toAppend(), written);
            updateIdIndex(stem, c, plan.toAppend());
            committed(convId, stem, log, c, SegmentLog.FRAME_HEADER + payload.length, false);
            return new AppendResult(convId, revision, plan.results(), plan.alreadyStored(),
                    c.live.counters());
        });
    }

    private static Cached requireStored(Cached c, String convId) {
        if (c == null) {
            throw new PalimpsestException(FailureKind.NOT_FOUND, convId,
                    "conversation '" + convId + "' does not exist");
        }
        return c;
    }

    @Override
    public long commitCompaction(CompactionRequest request) {
        String convId = request.convId();
        return lockedToChange(convId, true, (stem, log, existing) -> {
            Cached c = requireStored(existing, convId);
            ChangeRules.checkCompaction(request, c.live.counters());
            if (c.legacy != null) {
                migrate(convId, stem, log, c);
            }
            long revision = c.live.revision() + 1;
            LogRecord record = new LogRecord.Compaction(revision, request.at(),
                    request.throughRound(), request.compressedContext(), request.contextTokens());
            byte[] payload = FormatCodec.encodeRecord(record);
            SegmentLog.Position at = c.end.position();
            writeRecord(convId, stem, log, c, payload);
            c.apply(record, log, at);
            committed(convId, stem, log, c, SegmentLog.FRAME_HEADER + payload.length, true);
            return revision;
        });
    }

    @Override
    public long recordCompactionFailure(String convId, Instant at) {
        ConversationIds.check(convId);
        if (at == null) {
            throw PalimpsestException.invalid("the time of a compaction failure must not be null");
        }
        return lockedToChange(convId, false, (stem, log, existing) -> {
            Cached c = requireStored(existing, convId);
            if (c.legacy != null) {
                migrate(convId, stem, log, c);
            }
            long revision = c.live.revision() + 1;
            LogRecord record = new LogRecord.CompactionFailure(revision, at);
            byte[] payload = FormatCodec.encodeRecord(record);
            SegmentLog.Position position = c.end.position();
            writeRecord(convId, stem, log, c, payload);
            c.apply(record, log, position);
            committed(convId, stem, log, c, SegmentLog.FRAME_HEADER + payload.length, false);
            return revision;
        });
    }

    private static void checkRange(String convId, long from, int limit) {
        if (from < 1 || limit < 0) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, convId, String.format(
                    "a range of '%s' starts at 1 or later and holds 0 or more, was from %d"
                            + " limit %d", convId, from, limit));
        }
    }

    /** Thrown by a visitor to end a read early; carries no stack. */
    private static final class StopReading extends RuntimeException {
        private static final long serialVersionUID = 1L;

        StopReading() {
            super(null, null, false, false);
        }
    }

    @Override
    public List<StoredMessage> messages(String convId, long fromSeq, int limit) {
        checkRange(convId, fromSeq, limit);
        return locked(convId, false, (stem, log, c) -> {
            requireStored(c, convId);
            List<StoredMessage> out = new ArrayList<>();
            if (limit == 0 || fromSeq > c.live.counters().messagesTotal()) {
                return out;
            }
            List<Round> recent = c.state().recentRounds();
            if (!recent.isEmpty() && fromSeq >= recent.get(0).firstMessageSeq()) {
                // The range starts in the recent rounds, which the state holds: no log read.
                for (Round r : recent) {
                    for (StoredMessage m : r.messages()) {
                        if (m.seq() >= fromSeq && out.size() < limit) {
                            out.add(m);
                        }
                    }
                }
                return out;
            }
            return messagesFromLog(stem, c, log, fromSeq, limit);
        });
    }

    /**
     * Up to {@code limit} messages from {@code fromSeq} on, read from the log from the sparse
     * index's nearest entry before it.
     */
    private List<StoredMessage> messagesFromLog(String stem, Cached c, SegmentLog log,
                                                long fromSeq, int limit) throws IOException {
        List<StoredMessage> out = new ArrayList<>();
        try {
            readFrom(c, log, SparseIndex.floorByMessage(indexOf(stem), fromSeq),
                    (record, at, next, bytes) -> {
                        if (record instanceof LogRecord.Append a) {
                            for (StoredMessage m : a.messages()) {
                                if (m.seq() >= fromSeq) {
                                    out.add(m);
                                    if (out.size() == limit) {
                                        throw new StopReading();
                                    }
                                }
                            }
                        }
                    });
        } catch (StopReading done) {
            // The range is complete.
        }
        return out;
    }

    @Override
    public List<Round> rounds(String convId, long fromRound, int limit) {
        checkRange(convId, fromRound, limit);
        return locked(convId, false, (stem, log, c) -> {
            requireStored(c, convId);
            List<Round> out = new ArrayList<>();
            long total = c.live.counters().roundsTotal();
            if (limit == 0 || fromRound > total) {
                return out;
            }
            long lastWanted = Math.min(total, fromRound + limit - 1);
            List<Round> recent = c.state().recentRounds();
            if (!recent.isEmpty() && fromRound >= recent.get(0).seq()) {
                // The range starts in the recent rounds, which the state holds: no log read.
                for (Round r : recent) {
                    if (r.seq() >= fromRound && r.seq() <= lastWanted) {
                        out.add(r);
                    }
                }
                return out;
            }
            List<StoredMessage> open = new ArrayList<>();
            long[] openSeq = {0};
            try {
                readFrom(c, log, SparseIndex.floorByRound(indexOf(stem), fromRound),
                        (record, at, next, bytes) -> {
                    if (record instanceof LogRecord.Append a) {
                        for (StoredMessage m : a.messages()) {
                            if (m.roundSeq() < fromRound) {
                                continue;
                            }
                            if (m.roundSeq() != openSeq[0]) {
                                if (!open.isEmpty()) {
                                    out.add(new Round(openSeq[0], open));
                                    open.clear();
                                }
                                if (m.roundSeq() > lastWanted) {
                                    throw new StopReading();
                                }
                                openSeq[0] = m.roundSeq();
                            }
                            open.add(m);
                        }
                    }
                });
            } catch (StopReading done) {
                // The range is complete.
            }
            if (!open.isEmpty()) {
                out.add(new Round(openSeq[0], open));
            }
            return out;
        });
    }

    @Override
    public Optional<StoredMessage> messageById(String convId, String messageId) {
        return locked(convId, false, (stem, log, c) -> c == null ? Optional.empty()
                : Optional.ofNullable(messageWithId(stem, c, log, messageId, false)));
    }

    @Override
    public ConversationPage list(Optional<String> after, int limit) {
        checkOpen();
        if (limit < 1) {
            throw PalimpsestException.invalid("a page holds at least 1 id, was " + limit);
        }
        List<String> page = new ArrayList<>();
        for (String id : candidates(after)) {
            if (page.size() == limit) {
                return new ConversationPage(page, Optional.of(page.get(page.size() - 1)));
            }
            // A log whose first append never finished holds no conversation. One that cannot
            // be read is listed: it exists, and its load names what is wrong with it, so a
            // damaged conversation neither hides nor stops the listing of the others. A whole
            // first record settles it without loading: listing 10,000 conversations must not
            // parse 10,000 checkpoints.
            String stem = ConversationIdCodec.stem(id);
            if (log(id, stem).firstRecordIsWhole(() -> headSaysStored(stem))
                    || existsOrUnreadable(id)) {
                page.add(id);
            }
        }
        return new ConversationPage(page, Optional.empty());
    }

    /**
     * {@inheritDoc}
     *
     * <p>One pass: the summary of each conversation named in {@code sm/} also settles whether it
     * is stored, so its first record is not looked at as {@link #list} does (that look and the
     * summary opened the same two files again).
     */
    @Override
    public SummaryPage summaries(Optional<String> after, int limit) {
        checkOpen();
        if (limit < 1) {
            throw PalimpsestException.invalid("a page holds at least 1 conversation, was "
                    + limit);
        }
        List<ConversationSummary> summaries = new ArrayList<>();
        List<PalimpsestException> unreadable = new ArrayList<>();
        int listed = 0;
        String last = null;
        List<String> ids = new ArrayList<>(candidates(after));
        int from = 0;
        while (from < ids.size()) {
            if (listed == limit) {
                return new SummaryPage(summaries, unreadable, Optional.of(last));
            }
            // As many as the page still needs (more only if some turn out not to be stored).
            int batch = Math.min(ids.size() - from, limit - listed);
            List<PageReads.Outcome<Optional<ConversationSummary>>> read = PageReads.read(
                    ids.subList(from, from + batch), this::summary);
            for (int k = 0; k < batch; k++) {
                String id = ids.get(from + k);
                try {
                    Optional<ConversationSummary> summary = read.get(k).get();
                    if (summary.isEmpty()) {
                        continue; // a log whose first append never finished, or one just deleted
                    }
                    summaries.add(summary.get());
                } catch (PalimpsestException e) {
                    if (e.kind() != FailureKind.CORRUPT && e.kind() != FailureKind.IO) {
                        throw e;
                    }
                    unreadable.add(e);
                }
                listed++;
                last = id;
            }
            from += batch;
        }
        return new SummaryPage(summaries, unreadable, Optional.empty());
    }

    /**
     * The ids that {@code sm/} names after {@code after}, in order: every conversation with a
     * first segment or a checkpoint, stored or not (a log whose first append never finished
     * is named too; the caller decides).
     */
    private TreeSet<String> candidates(Optional<String> after) {
        TreeSet<String> ids = new TreeSet<>(ConversationIds.ORDER);
        if (directoryExists(null)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    Optional<Map.Entry<String, Long>> seg = ConversationIdCodec.stemAndSegmentOf(
                            name);
                    Optional<String> stateStem = ConversationIdCodec.stemOfStateName(name);
                    if ((seg.isEmpty() || seg.get().getValue() != 1) && stateStem.isEmpty()) {
                        continue;
                    }
                    String stem = seg.isPresent() ? seg.get().getKey() : stateStem.get();
                    if (stateStem.isPresent() && ConversationIdCodec.decode(stem).isEmpty()) {
                        // A hashed stem names its id inside the file: only a log's header is
                        // read here; a schema-1 file of a hashed stem lists once migrated.
                        continue;
                    }
                    Optional<String> id = ConversationIdCodec.decode(stem);
                    if (id.isEmpty()) {
                        try {
                            id = Optional.of(SegmentLog.idOfSegment(file))
                                    .filter(i -> ConversationIdCodec.stem(i).equals(stem));
                        } catch (IOException | PalimpsestException e) {
                            continue;
                        }
                    }
                    if (id.isPresent() && (after.isEmpty()
                            || ConversationIds.ORDER.compare(id.get(), after.get()) > 0)) {
                        ids.add(id.get());
                    }
                }
            } catch (IOException e) {
                throw Failures.io(null, "list " + directory, e);
            }
        }
        return ids;
    }

    /**
     * Whether the lock file holds a valid head: written only once a record is committed, it
     * says that a large first record was whole once, so that only its frame need be looked at,
     * not its payload (which may be megabytes). Read without the lock: a head being rewritten
     * fails its CRC32C, and the caller then checks the first record whole.
     */
    private boolean headSaysStored(String stem) {
        Path lockFile = lockFile(stem);
        try {
            if (!Files.readAttributes(lockFile, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
                return false;
            }
            // Opened for reading and writing, as every lock file is: on Linux that never waits,
            // even for a FIFO put at the name since the look. Nothing is written.
            try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                return HeadBlock.read(ch).isPresent();
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean existsOrUnreadable(String convId) {
        try {
            return load(convId).isPresent();
        } catch (PalimpsestException e) {
            if (e.kind() == FailureKind.CORRUPT || e.kind() == FailureKind.IO) {
                return true; // its files are there
            }
            throw e;
        }
    }

    @Override
    public boolean delete(String convId) {
        return lockedToChange(convId, true, (stem, log, c) -> {
            boolean existed = c != null;
            // Before anything goes: no cache of these files outlives them, and the claim and
            // the head go with the incarnation (the lock file keeps only the new one).
            renewIncarnationIfHeld(stem);
            if (ConversationLocks.heldByCurrentThread(lockFile(stem))) {
                try {
                    ConversationLocks.clearAfterIncarnation(lockFile(stem), false);
                } catch (IOException e) {
                    throw Failures.io(convId, "clear the claim and the head in " + lockFile(stem), e);
                }
            }
            List<Path> doomed = new ArrayList<>();
            doomed.add(directory.resolve(ConversationIdCodec.stateName(stem)));
            doomed.add(directory.resolve(ConversationIdCodec.archiveName(stem)));
            for (long s = 1; ; s++) {
                Path segment = log.segment(s);
                if (!Files.exists(segment, LinkOption.NOFOLLOW_LINKS)) {
                    break;
                }
                doomed.add(segment);
            }
            if (Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                    for (Path file : files) {
                        Optional<String> tempStem = ConversationIdCodec.stemOfTempName(
                                file.getFileName().toString());
                        if (tempStem.isPresent() && tempStem.get().equals(stem)) {
                            doomed.add(file);
                        }
                    }
                }
            }
            // Second, right after the checkpoint: an index never outlives its log for long.
            doomed.add(directory.resolve(ConversationIdCodec.indexName(stem)));
            doomed.add(idIndexFile(stem));
            boolean removed = false;
            // The checkpoint first, then the log from its newest segment back: a kill in
            // between leaves a shorter log, never a checkpoint without a log.
            for (int i = 0; i < doomed.size(); i++) {
                Path file = i == 0 ? doomed.get(0) : doomed.get(doomed.size() - i);
                try {
                    removed |= ops.deleteIfExists(file);
                } catch (IOException e) {
                    throw Failures.io(convId, "delete " + file, e);
                }
            }
            evict(convId);
            try {
                removed |= eraseQuarantined(stem);
            } catch (IOException e) {
                throw Failures.io(convId, "erase the quarantined copies", e);
            }
            if (removed) {
                try {
                    directorySync().sync();
                } catch (IOException e) {
                    throw Failures.durabilityUnknown(convId, "fsync " + directory, e);
                }
            }
            return existed || removed;
        });
    }

    /**
     * Checks every conversation under the root and, with {@code repair}, mends what it can: a
     * torn log tail is zeroed, an unreadable checkpoint written again from the log, leftover temp
     * files removed, and a damaged log quarantined with every other file of its conversation
     * into {@code sm/quarantine/<stem>.<epoch millis>/}. Without {@code repair} it changes
     * nothing and creates nothing.
     *
     * @param repair whether to repair
     * @return what it found
     */
    @SuppressWarnings("try") // a held lock is a resource the block never names
    public CheckReport check(boolean repair) {
        checkOpen();
        List<CheckReport.Finding> findings = new ArrayList<>();
        TreeSet<String> stems = new TreeSet<>();
        TreeSet<String> stateStems = new TreeSet<>();
        List<String> temps = new ArrayList<>();
        if (directoryExists(null)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    ConversationIdCodec.stemAndSegmentOf(name)
                            .filter(e -> e.getValue() == 1).ifPresent(e -> stems.add(e.getKey()));
                    ConversationIdCodec.stemOfStateName(name).ifPresent(stateStems::add);
                    if (ConversationIdCodec.stemOfTempName(name).isPresent()) {
                        temps.add(name);
                    }
                }
            } catch (IOException e) {
                throw Failures.io(null, "list " + directory, e);
            }
        }
        for (String stem : stems) {
            checkOne(stem, repair, findings);
        }
        stateStems.removeAll(stems);
        for (String stem : stateStems) {
            checkStateOnly(stem, repair, findings);
        }
        for (String temp : temps) {
            String stem = ConversationIdCodec.stemOfTempName(temp).orElseThrow();
            boolean removed = false;
            if (repair) {
                try (ConversationLocks.Held held = ConversationLocks.lock(lockFile(stem))) {
                    opened(held, lockFile(stem));
                    removed = ops.deleteIfExists(directory.resolve(temp));
                } catch (IOException e) {
                    throw Failures.io(null, "remove " + temp, e);
                }
            }
            findings.add(new CheckReport.Finding(temp, ConversationIdCodec.decode(stem)
                    .orElse(null), CheckReport.Problem.LEFTOVER_TEMP_FILE,
                    "a temp file of a write that did not finish", removed));
        }
        return new CheckReport(stems.size() + stateStems.size(), findings);
    }

    /**
     * A state file with no log beside it: a conversation of schema 1 (its state file and
     * archive are the truth until its first write migrates it), or, if it is not one, a
     * conversation that cannot be read, since the checkpoint only summarizes a log that is
     * gone. Repair moves such a file into {@code sm/quarantine/}.
     */
    @SuppressWarnings("try") // a held lock is a resource the block never names
    private void checkStateOnly(String stem, boolean repair, List<CheckReport.Finding> findings) {
        Path file = directory.resolve(ConversationIdCodec.stateName(stem));
        String name = file.getFileName().toString();
        Path lockFile = directory.resolve(ConversationIdCodec.lockName(stem));
        String convId = ConversationIdCodec.decode(stem).orElse(null);
        try {
            if (notRegular(stem, lockFile, convId, repair, findings) && !repair) {
                return; // the conversation cannot be locked, so it is not read
            }
        } catch (IOException e) {
            throw Failures.io(convId, "check " + lockFile, e);
        }
        try (ConversationLocks.Held held = repair ? ConversationLocks.lock(lockFile)
                : ConversationLocks.lockIfExists(lockFile)) {
            opened(held, lockFile);
            FileIdentity identity = FileIdentity.of(file);
            if (identity == null) {
                return; // deleted since the directory was read
            }
            String problem;
            try {
                NotRegularFileException.requireRegular(file, identity);
                byte[] bytes;
                try (FileChannel ch = SegmentLog.openRead(file)) {
                    ByteBuffer all = ByteBuffer.allocate((int) Math.min(ch.size(),
                            MAX_CHECKPOINT_BYTES));
                    SegmentLog.readFully(ch, all, 0);
                    bytes = java.util.Arrays.copyOf(all.array(), all.position());
                }
                if (java.util.Arrays.equals(bytes, 0, Math.min(bytes.length, V2_PREFIX.length),
                        V2_PREFIX, 0, V2_PREFIX.length)) {
                    problem = "a checkpoint whose log is gone: the conversation cannot be read";
                } else {
                    LegacyFormat.State legacy = LegacyFormat.decodeState(bytes);
                    if (ConversationIdCodec.stem(legacy.convId()).equals(stem)) {
                        return; // a conversation of schema 1, read as it is
                    }
                    problem = "it is the state of '" + legacy.convId() + "'";
                }
            } catch (NotRegularFileException e) {
                problem = e.getMessage();
            } catch (PalimpsestException e) {
                problem = "a state file with no log that cannot be read: " + e.getMessage();
            }
            boolean moved = repair && quarantine(stem);
            if (moved && convId != null) {
                evict(convId);
            }
            findings.add(new CheckReport.Finding(name, convId,
                    CheckReport.Problem.UNREADABLE_CHECKPOINT, problem, moved));
        } catch (IOException e) {
            throw Failures.io(convId, "check " + name, e);
        }
    }

    @SuppressWarnings("try") // a held lock is a resource the block never names
    private void checkOne(String stem, boolean repair, List<CheckReport.Finding> findings) {
        Path first = directory.resolve(ConversationIdCodec.segmentName(stem, 1));
        String convId = ConversationIdCodec.decode(stem).orElse(null);
        if (convId == null) {
            // A hashed stem: the id is in the log's header, read only from a regular file.
            try {
                FileIdentity id = FileIdentity.of(first);
                convId = id != null && id.regularFile() ? SegmentLog.idOfSegment(first) : null;
            } catch (IOException e) {
                convId = null;
            }
        }
        Path lockFile = directory.resolve(ConversationIdCodec.lockName(stem));
        String firstName = first.getFileName().toString();
        try {
            // Nothing but a regular file is ever opened: a FIFO would block the check forever.
            if (notRegular(stem, lockFile, convId, repair, findings) && !repair) {
                return; // the conversation cannot be locked, so it is not read
            }
        } catch (IOException e) {
            throw Failures.io(convId, "check " + lockFile, e);
        }
        boolean logMovedAside = false;
        try (ConversationLocks.Held held = repair ? ConversationLocks.lock(lockFile)
                : ConversationLocks.lockIfExists(lockFile)) {
            opened(held, lockFile);
            if (notRegular(stem, first, convId, repair, findings)) {
                // No log to read. Repaired, it was moved aside: what is left is checked as a
                // conversation without a log, below, once this lock is released.
                logMovedAside = repair;
                return;
            }
            notRegular(stem, directory.resolve(ConversationIdCodec.indexName(stem)), convId,
                    repair, findings);
            notRegular(stem, idIndexFile(stem), convId, repair, findings);
            boolean laterSegmentNotRegular = false;
            for (long s = 2; Files.exists(directory.resolve(ConversationIdCodec.segmentName(
                    stem, s)), LinkOption.NOFOLLOW_LINKS); s++) {
                laterSegmentNotRegular |= notRegular(stem, directory.resolve(
                        ConversationIdCodec.segmentName(stem, s)), convId, repair, findings);
            }
            if (laterSegmentNotRegular) {
                return; // the log cannot be read past it
            }
            if (convId == null || !ConversationIdCodec.stem(convId).equals(stem)) {
                findings.add(new CheckReport.Finding(firstName, null,
                        CheckReport.Problem.DAMAGED_LOG, "the header names no conversation of"
                                + " this file name", repair && quarantine(stem)));
                return;
            }
            String id = convId;
            SegmentLog log = log(id, stem);
            Replay replay = new Replay(ConversationState.empty(id));
            SegmentLog.End end;
            try {
                end = log.read(new SegmentLog.Position(1, 0),
                        (record, at, next, bytes) -> replay.apply(record, log, at));
                replay.state();
            } catch (PalimpsestException e) {
                if (e.kind() != FailureKind.CORRUPT) {
                    throw e;
                }
                boolean moved = repair && quarantine(stem);
                if (moved) {
                    evict(id);
                }
                findings.add(new CheckReport.Finding(firstName, id,
                        CheckReport.Problem.DAMAGED_LOG, e.getMessage(), moved));
                return;
            }
            if (end != null && end.tornTail()) {
                boolean zeroed = false;
                if (repair) {
                    Path segment = log.segment(end.position().segment());
                    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE,
                            LinkOption.NOFOLLOW_LINKS)) {
                        writeZeros(ch, end.position().offset(), end.segmentSize());
                        ops.forceData(ch);
                        zeroed = true;
                    }
                    evict(id);
                }
                findings.add(new CheckReport.Finding(
                        log.segment(end.position().segment()).getFileName().toString(), id,
                        CheckReport.Problem.TORN_TAIL, "an append that never finished at byte "
                                + end.position().offset(), zeroed));
            }
            Path checkpoint = directory.resolve(ConversationIdCodec.stateName(stem));
            if (FileIdentity.of(checkpoint) != null) {
                String problem = null;
                try {
                    NotRegularFileException.requireRegular(checkpoint,
                            FileIdentity.of(checkpoint));
                    Checkpoint c = FormatCodec.decodeCheckpoint(Files.readAllBytes(checkpoint));
                    if (!c.state().convId().equals(id)) {
                        problem = "it is the state of '" + c.state().convId() + "'";
                    }
                } catch (NotRegularFileException e) {
                    problem = e.getMessage();
                } catch (java.nio.file.AccessDeniedException e) {
                    problem = "it cannot be read: permission denied";
                } catch (PalimpsestException e) {
                    problem = e.getMessage();
                }
                if (problem != null) {
                    boolean rewritten = false;
                    if (repair && end != null && replay.revision() > 0) {
                        Cached c = new Cached(replay.state());
                        c.end = end.tornTail() ? new SegmentLog.End(end.position(),
                                end.segmentSize(), false) : end;
                        if (!Files.isRegularFile(checkpoint, LinkOption.NOFOLLOW_LINKS)) {
                            // Something else stands at the name: move it aside, never into it.
                            quarantineFile(stem, checkpoint);
                        }
                        c.recordsSinceCheckpoint = 1;
                        writeCheckpoint(id, stem, c);
                        rewritten = c.recordsSinceCheckpoint == 0;
                        evict(id);
                    }
                    findings.add(new CheckReport.Finding(checkpoint.getFileName().toString(), id,
                            CheckReport.Problem.UNREADABLE_CHECKPOINT, problem, rewritten));
                }
            }
        } catch (IOException e) {
            throw Failures.io(convId, "check " + firstName, e);
        } finally {
            if (logMovedAside && Files.exists(directory.resolve(
                    ConversationIdCodec.stateName(stem)), LinkOption.NOFOLLOW_LINKS)) {
                checkStateOnly(stem, true, findings);
            }
        }
    }

    private Path quarantineDirectory(String stem) throws IOException {
        Path quarantine = directory.resolve("quarantine");
        if (!Files.isDirectory(quarantine, LinkOption.NOFOLLOW_LINKS)) {
            NioFileOps.createPrivateDirectory(quarantine);
        }
        // Named by the time, made unique: two quarantines of one stem in a millisecond
        // (a foreign lock file, then the log) each get their own directory.
        for (long at = System.currentTimeMillis(); ; at++) {
            Path target = quarantine.resolve(stem + "." + at);
            try {
                return NioFileOps.createPrivateDirectory(target);
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // the next millisecond's name
            }
        }
    }

    /**
     * Reports something other than a regular file at one of the store's names (and, with
     * repair, moves it into {@code sm/quarantine/}); returns whether one was there.
     */
    private boolean notRegular(String stem, Path file, String convId, boolean repair,
                               List<CheckReport.Finding> findings) throws IOException {
        FileIdentity id = FileIdentity.of(file);
        if (id == null || id.regularFile()) {
            return false;
        }
        if (repair) {
            quarantineFile(stem, file);
        }
        findings.add(new CheckReport.Finding(file.getFileName().toString(), convId,
                CheckReport.Problem.NOT_REGULAR_FILE, NotRegularFileException.detail(id.kind()),
                repair));
        return true;
    }

    private void quarantineFile(String stem, Path file) throws IOException {
        renewIncarnationIfHeld(stem);
        Path target = quarantineDirectory(stem);
        ops.moveAtomically(file, target.resolve(file.getFileName()));
        ops.fsyncDirectory(target);
        directorySync().sync();
    }

    /** Moves every file of a stem but its lock file into a new quarantine directory. */
    private boolean quarantine(String stem) throws IOException {
        renewIncarnationIfHeld(stem);
        Path target = quarantineDirectory(stem);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                boolean ours = ConversationIdCodec.stemAndSegmentOf(name)
                        .map(e -> e.getKey().equals(stem)).orElse(false)
                        || name.equals(ConversationIdCodec.stateName(stem))
                        || name.equals(ConversationIdCodec.archiveName(stem))
                        || name.equals(ConversationIdCodec.indexName(stem))
                        || name.equals(ConversationIdCodec.idIndexName(stem))
                        || ConversationIdCodec.stemOfTempName(name).map(stem::equals)
                        .orElse(false);
                if (ours) {
                    ops.moveAtomically(file, target.resolve(name));
                }
            }
        }
        ops.fsyncDirectory(target);
        directorySync().sync();
        return true;
    }

    private Path lockFile(String stem) {
        return directory.resolve(ConversationIdCodec.lockName(stem));
    }

    /**
     * Renews the incarnation of a conversation whose lock this thread holds, before its files
     * are moved; a file moved without the lock (the lock file itself, when it is not a regular
     * file) leaves a conversation whose next lock file starts without one.
     */
    private void renewIncarnationIfHeld(String stem) throws IOException {
        Path lockFile = lockFile(stem);
        if (ConversationLocks.heldByCurrentThread(lockFile)) {
            ConversationLocks.renewIncarnation(lockFile);
        }
    }

    /**
     * Whether {@code file} is absent, or a regular file this process can open for reading
     * (looked at first: opening a FIFO for reading would wait for a writer).
     */
    private static boolean readableOrAbsent(Path file) {
        try {
            if (notRegularFile(file, true)) {
                return false;
            }
            try (FileChannel ch = SegmentLog.openRead(file)) {
                return ch.isOpen();
            }
        } catch (NoSuchFileException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether something other than a regular file is at {@code file} (or nothing, unless allowed). */
    private static boolean notRegularFile(Path file, boolean mayBeAbsent) throws IOException {
        try {
            return !Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isRegularFile();
        } catch (NoSuchFileException e) {
            return !mayBeAbsent;
        }
    }

    /** Notes a lock file this store opened, to close it when the store closes. */
    private void opened(ConversationLocks.Held held, Path lockFile) {
        if (held != null && held.opened()) {
            lockFilesOpened.add(lockFile);
        }
    }

    /** Erases the quarantined copies of a stem: part of {@link #delete}. */
    private boolean eraseQuarantined(String stem) throws IOException {
        Path quarantine = directory.resolve("quarantine");
        if (!Files.isDirectory(quarantine, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        boolean erased = false;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(quarantine)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                int dot = name.lastIndexOf('.');
                if (dot > 0 && name.substring(0, dot).equals(stem)
                        && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                        for (Path file : files) {
                            ops.deleteIfExists(file);
                        }
                    }
                    Files.delete(dir);
                    erased = true;
                }
            }
        }
        if (erased) {
            ops.fsyncDirectory(quarantine);
        }
        return erased;
    }

    @Override
    public void close() {
        closed = true;
        for (String convId : List.copyOf(cache.keySet())) {
            evict(convId);
        }
        // The lock files this store opened and the JVM kept open for the next lock.
        ConversationLocks.closeKept(lockFilesOpened);
        lockFilesOpened.clear();
    }
}
