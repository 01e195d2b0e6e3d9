package dev.palimpsest.persist.internal;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConflictException;
import dev.palimpsest.persist.ConversationListing;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.ConversationSummary;
import dev.palimpsest.persist.CorruptStateException;
import dev.palimpsest.persist.DurabilityUnknownException;
import dev.palimpsest.persist.IdCollisionException;
import dev.palimpsest.persist.StoreException;
import dev.palimpsest.persist.StoreIOException;
import dev.palimpsest.persist.StoreIOException.Step;
import dev.palimpsest.persist.StoreOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The file-based {@link ConversationStore}: one state file per conversation under
 * {@code <root>/sm/}, replaced by {@link AtomicFileWriter}, guarded by {@link ConversationLocks},
 * with an {@link ArchiveFile} beside it. See {@code docs/format.md} and
 * {@code docs/durability.md}.
 *
 * <p>Reads take no lock: a state file is only ever replaced by an atomic rename, so a reader sees
 * the old or the new file, whole. Reads change nothing on disk; every write holds the
 * conversation's lock. The first write of a store lists the temp files of crashed writers, and
 * each write removes those of its own conversation under its lock; {@link #check} repairs the
 * rest. A read first looks at {@code sm} itself (links not followed): only if nothing is there
 * does a conversation read as never stored.
 */
// "try": a held lock is a resource that the try block holds without naming it again.
@SuppressWarnings("try")
public final class FileConversationStore implements ConversationStore {
    /** The fewest first bytes of a state file that must match the last write to know it. */
    private static final int RECOGNIZED_PREFIX = 1024;
    private static final DateTimeFormatter QUARANTINE_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Path root;
    private final Path sm;
    private final FileOps ops;
    private final StateFileCodec codec;
    private final AtomicFileWriter writer;
    private final ArchiveFile archive;
    private final StateCache cache;
    private final Object directoryInit = new Object();
    /** The real path of {@code sm/} once it is known to exist as a directory. */
    private volatile Path realSm;
    /**
     * Temp files found in {@code sm/} by the first write, by stem: left by crashed writers, or
     * by writers still running then. Each write of a stem removes that stem's under its lock.
     */
    private final Map<String, List<Path>> tempsSeen = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * Opens a store.
     *
     * @param options the root and limits
     * @return the store
     */
    public static ConversationStore open(StoreOptions options) {
        return new FileConversationStore(options, NioFileOps.INSTANCE);
    }

    /**
     * Opens a store whose file-system steps go through {@code ops} (tests inject failures there).
     *
     * @param options the root and limits
     * @param ops     the file-system steps
     */
    public FileConversationStore(StoreOptions options, FileOps ops) {
        Objects.requireNonNull(options, "options");
        this.ops = Objects.requireNonNull(ops, "ops");
        this.root = options.root();
        this.sm = root.resolve("sm");
        this.codec = new StateFileCodec(options.maxStateBytes());
        this.writer = new AtomicFileWriter(ops, new DirectorySync(sm, ops));
        this.archive = new ArchiveFile(codec, ops);
        this.cache = new StateCache(options.stateCacheBytes());
    }

    @Override
    public Conversation load(String convId) {
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        Path file = stateFileOfStem(stem);
        if (!smExists(convId)) {
            return Conversation.empty(convId);
        }
        Optional<Conversation> stored = readState(convId, file, stem);
        if (stored.isEmpty()) {
            return Conversation.empty(convId);
        }
        Conversation c = stored.get();
        if (!c.convId().equals(convId)) {
            throw new IdCollisionException(convId, c.convId(), file);
        }
        return c;
    }

    @Override
    public boolean isStored(String convId) {
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        return smExists(convId) && identify(convId, stateFileOfStem(stem)) != null;
    }

    @Override
    public Conversation save(Conversation conversation) {
        Objects.requireNonNull(conversation, "conversation");
        checkOpen();
        String convId = conversation.convId();
        String stem = ConversationIdCodec.stem(convId);
        Path directory = directory(convId);
        try (ConversationLocks.Held held = writeLock(convId, directory, stem)) {
            // The whole file, not only its header: a file whose body is damaged must stay for
            // check(true) to quarantine, not be replaced by a save that never read it. Only the
            // file this store wrote last, found unchanged, is not read whole (see readState).
            long stored = load(convId).revision();
            if (stored != conversation.revision()) {
                throw new ConflictException(convId, conversation.revision(), stored);
            }
            return write(conversation, stored, directory, stem);
        }
    }

    @Override
    public Conversation update(String convId, UnaryOperator<Conversation> change) {
        Objects.requireNonNull(change, "change");
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        Path directory = directory(convId);
        try (ConversationLocks.Held held = writeLock(convId, directory, stem)) {
            Conversation current = load(convId);
            Conversation next = change.apply(current);
            if (next == current) {
                return current;
            }
            Objects.requireNonNull(next, "the result of change");
            if (!next.convId().equals(convId)) {
                throw new StoreException(convId, "update of '" + convId
                        + "' failed: the change returned conversation '" + next.convId() + "'",
                        null);
            }
            return write(next, current.revision(), directory, stem);
        }
    }

    @Override
    public void appendArchive(String convId, List<Round> rounds) {
        Objects.requireNonNull(rounds, "rounds");
        rounds.forEach(r -> Objects.requireNonNull(r, "round"));
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        if (rounds.isEmpty()) {
            return;
        }
        Path directory = directory(convId);
        try (ConversationLocks.Held held = writeLock(convId, directory, stem)) {
            // The archive holds no id: the state file beside it tells whose it is.
            storedRevision(convId, stem);
            Path file = archiveFileOfStem(stem);
            StateCache.Entry known = cache.get(stem);
            archive.append(convId, file, rounds, known == null ? null : known.encoded());
            // Every append, not only one that creates the file: a creator killed before its
            // directory fsync leaves an entry a power loss can still take away, together with
            // every line appended to it since. Knowing whether this file's entry was ever
            // synced would take its identity, and an inode number can be reused by a file
            // that another process re-created. The fsync is group-committed with the saves.
            writer.syncDirectory(convId, directory, file);
        }
    }

    @Override
    public Stream<Round> archive(String convId) {
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        if (!smExists(convId)) {
            return Stream.empty();
        }
        return archive.read(convId, archiveFileOfStem(stem));
    }

    @Override
    public List<ConversationSummary> list() {
        return listing().conversations();
    }

    @Override
    public ConversationListing listing() {
        checkOpen();
        if (!smExists(null)) {
            return new ConversationListing(List.of(), List.of());
        }
        List<ConversationSummary> summaries = new ArrayList<>();
        List<ConversationListing.Skipped> skipped = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(sm,
                ConversationIdCodec.PREFIX + "*" + ConversationIdCodec.STATE_SUFFIX)) {
            for (Path file : entries) {
                summarize(file, summaries, skipped);
            }
        } catch (NoSuchFileException e) {
            return new ConversationListing(List.of(), List.of());
        } catch (IOException e) {
            throw new StoreIOException(null, Step.READ, sm, e);
        }
        summaries.sort(Comparator.comparing(ConversationSummary::convId));
        skipped.sort(Comparator.comparing(ConversationListing.Skipped::file));
        return new ConversationListing(summaries, skipped);
    }

    /**
     * Summarizes one state file into {@code summaries}, or records in {@code skipped} why it
     * cannot be read or does not belong to the id it holds: listing goes on past a bad file, and
     * {@link #check} reports it. A file gone since the directory was listed is neither.
     */
    private void summarize(Path file, List<ConversationSummary> summaries,
                           List<ConversationListing.Skipped> skipped) {
        Optional<String> stem = ConversationIdCodec.stemOfStateName(file.getFileName().toString());
        if (stem.isEmpty()) {
            return;
        }
        try {
            Optional<StateFileCodec.Header> header = readHeader(null, file,
                    StateFileCodec.HeaderScope.SUMMARY);
            if (header.isEmpty()) {
                return;
            }
            StateFileCodec.Header h = header.get();
            String expected = ConversationIdCodec.stem(h.convId());
            if (!stem.get().equals(expected)) {
                skipped.add(new ConversationListing.Skipped(file, "holds conversation '"
                        + h.convId() + "', whose file is "
                        + ConversationIdCodec.stateName(expected)));
                return;
            }
            summaries.add(new ConversationSummary(h.convId(), h.revision(),
                    h.updatedAt().orElseThrow(), h.counters().orElseThrow()));
        } catch (StoreException e) {
            skipped.add(new ConversationListing.Skipped(file, e.getMessage()));
        }
    }

    @Override
    public boolean delete(String convId) {
        checkOpen();
        String stem = ConversationIdCodec.stem(convId);
        if (!smExists(convId)) {
            return false;
        }
        Path directory = directory(convId);
        try (ConversationLocks.Held held = writeLock(convId, directory, stem)) {
            // Like save, refuse a file that cannot be read whole: it is evidence to quarantine.
            load(convId);
            boolean deleted;
            Path state = stateFileOfStem(stem);
            Path archived = archiveFileOfStem(stem);
            // Nor is anything but a regular file at the archive's name removed: it was not
            // written here, and check(true) moves it aside for a human to look at.
            requireRegularOrAbsent(convId, archived, ArchiveFile.WHAT);
            cache.remove(stem);
            // The archive goes first: a crash in between must not leave an old archive to a
            // conversation that starts again empty.
            deleted = deleteFile(convId, archived);
            deleted |= deleteFile(convId, state);
            if (deleted) {
                writer.syncDirectory(convId, directory, state);
            }
            return deleted;
        }
    }

    @Override
    public CheckReport check(boolean repair) {
        return check(repair, (examined, entries) -> { });
    }

    @Override
    public CheckReport check(boolean repair, CheckProgress progress) {
        Objects.requireNonNull(progress, "progress");
        checkOpen();
        try {
            // The root may be a link (to a data disk, say): it is the user's to choose.
            Files.readAttributes(root, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return new CheckReport(0, List.of(), repair, false);
        } catch (IOException e) {
            throw new StoreIOException(null, Step.READ, root, e);
        }
        if (!smExists(null)) {
            return new CheckReport(0, List.of(), repair, true);
        }
        // Repairs write, and so create sm/'s durable entry as any write does; a check that
        // repairs nothing only needs the real path, the key of the locks it may take.
        Path directory = repair ? directory(null) : realPathOfSm();
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(sm)) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (IOException e) {
            throw new StoreIOException(null, Step.READ, sm, e);
        }
        names.sort(Comparator.naturalOrder());
        int checked = 0;
        boolean changed = false;
        List<CheckReport.Finding> findings = new ArrayList<>();
        // Archives and lock files first: a lock file moved aside here is created afresh when a
        // temp file of its conversation is judged below.
        for (String name : names) {
            Optional<String> archiveStem = ConversationIdCodec.stemOfArchiveName(name);
            Optional<String> lockStem = ConversationIdCodec.stemOfLockName(name);
            if (archiveStem.isEmpty() && lockStem.isEmpty()) {
                continue;
            }
            checked++;
            progress.examined(checked, names.size());
            Optional<CheckReport.Finding> f = archiveStem.isPresent()
                    ? checkArchiveKind(directory, archiveStem.get(), name, repair)
                    : checkLockKind(name, repair);
            f.ifPresent(findings::add);
            changed |= f.map(x -> x.action() != CheckReport.Action.NONE).orElse(false);
        }
        for (String name : names) {
            Optional<String> tempStem = ConversationIdCodec.stemOfTempName(name);
            Optional<String> stateStem = ConversationIdCodec.stemOfStateName(name);
            Optional<CheckReport.Finding> f;
            if (tempStem.isPresent()) {
                f = checkTemp(directory, tempStem.get(), name, repair);
            } else if (stateStem.isPresent()) {
                f = checkState(directory, stateStem.get(), name, repair);
            } else {
                continue;
            }
            checked++;
            progress.examined(checked, names.size());
            f.ifPresent(findings::add);
            changed |= f.map(x -> x.action() != CheckReport.Action.NONE).orElse(false);
        }
        if (changed) {
            writer.syncDirectory(null, directory, directory);
        }
        findings.sort(Comparator.comparing(CheckReport.Finding::file));
        return new CheckReport(checked, findings, repair, true);
    }

    private Optional<CheckReport.Finding> checkTemp(Path directory, String stem, String name,
                                                    boolean repair) {
        Path temp = sm.resolve(name);
        Path lockFile = directory.resolve(ConversationIdCodec.lockName(stem));
        // A temp file is stale only if it exists while its conversation's lock is held: every
        // writer holds the lock for as long as its temp file exists. Without a lock file it is
        // stale too: every writer creates the lock file before its temp file, and lock files
        // are never deleted. A check that repairs nothing creates no lock file.
        ConversationLocks.Held held;
        try {
            held = repair ? ConversationLocks.lock(lockFile)
                    : ConversationLocks.lockIfExists(lockFile);
        } catch (NotRegularFileException e) {
            // Reported as such above (and moved aside, if repairing); no writer can hold it.
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreIOException(null, Step.LOCK, lockFile, e);
        }
        try (held) {
            if (!Files.exists(temp, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            CheckReport.Action action = CheckReport.Action.NONE;
            if (repair) {
                deleteFile(null, temp);
                action = CheckReport.Action.REMOVED;
            }
            return Optional.of(new CheckReport.Finding(temp, CheckReport.Kind.STALE_TEMP,
                    "temp file of a writer that did not finish", action, Optional.empty()));
        }
    }

    private Optional<CheckReport.Finding> checkState(Path directory, String stem, String name,
                                                     boolean repair) {
        Path file = sm.resolve(name);
        Optional<String> problem = stateProblem(stem, file);
        if (problem.isEmpty()) {
            return Optional.empty();
        }
        if (!repair) {
            return Optional.of(new CheckReport.Finding(file, CheckReport.Kind.UNREADABLE_STATE,
                    problem.get(), CheckReport.Action.NONE, Optional.empty()));
        }
        try (ConversationLocks.Held held = lock(null, directory, stem)) {
            // Look again under the lock: a writer may have replaced the file meanwhile.
            problem = stateProblem(stem, file);
            if (problem.isEmpty()) {
                return Optional.empty();
            }
            cache.remove(stem);
            Path aside = quarantine(file);
            return Optional.of(new CheckReport.Finding(file, CheckReport.Kind.UNREADABLE_STATE,
                    problem.get(), CheckReport.Action.QUARANTINED, Optional.of(aside)));
        }
    }

    /** Finds anything but a regular file at an archive's name; moves it aside under the lock. */
    private Optional<CheckReport.Finding> checkArchiveKind(Path directory, String stem,
                                                           String name, boolean repair) {
        Path file = sm.resolve(name);
        Optional<String> kind = notRegular(file);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        if (!repair) {
            return Optional.of(notRegularFinding(file, kind.get(), CheckReport.Action.NONE,
                    Optional.empty()));
        }
        try (ConversationLocks.Held held = lock(null, directory, stem)) {
            kind = notRegular(file);
            if (kind.isEmpty()) {
                return Optional.empty();
            }
            Path aside = quarantine(file);
            return Optional.of(notRegularFinding(file, kind.get(),
                    CheckReport.Action.QUARANTINED, Optional.of(aside)));
        }
    }

    /**
     * Finds anything but a regular file at a lock file's name, and moves it aside: without the
     * lock, which cannot be taken on it, and which no writer holds, since every writer refuses
     * such a lock file before locking it.
     */
    private Optional<CheckReport.Finding> checkLockKind(String name, boolean repair) {
        Path file = sm.resolve(name);
        Optional<String> kind = notRegular(file);
        if (kind.isEmpty()) {
            return Optional.empty();
        }
        if (!repair) {
            return Optional.of(notRegularFinding(file, kind.get(), CheckReport.Action.NONE,
                    Optional.empty()));
        }
        Path aside = quarantine(file);
        return Optional.of(notRegularFinding(file, kind.get(), CheckReport.Action.QUARANTINED,
                Optional.of(aside)));
    }

    private static CheckReport.Finding notRegularFinding(Path file, String kind,
                                                         CheckReport.Action action,
                                                         Optional<Path> aside) {
        return new CheckReport.Finding(file, CheckReport.Kind.NOT_A_REGULAR_FILE,
                NotRegularFileException.detail(kind), action, aside);
    }

    /** Returns what is at {@code file} if it is there and not a regular file. */
    private static Optional<String> notRegular(Path file) {
        FileIdentity identity;
        try {
            identity = FileIdentity.of(file);
        } catch (IOException e) {
            throw new StoreIOException(null, Step.READ, file, e);
        }
        return identity == null || identity.regularFile() ? Optional.empty()
                : Optional.of(identity.kind());
    }

    /** Renames a file aside, atomically, to a name no other file has; returns the new name. */
    private Path quarantine(Path file) {
        Path aside = quarantineName(file);
        try {
            ops.moveAtomically(file, aside);
        } catch (IOException e) {
            throw new StoreIOException(null, Step.RENAME, file, e);
        }
        return aside;
    }

    /** Returns what is wrong with a state file, if anything. */
    private Optional<String> stateProblem(String stem, Path file) {
        try {
            // Parsed for real, never recognized from the cache: this is the check.
            Optional<Conversation> c = readState(null, file, null);
            if (c.isEmpty()) {
                return Optional.empty();
            }
            String expected = ConversationIdCodec.stem(c.get().convId());
            if (!expected.equals(stem)) {
                return Optional.of("holds conversation '" + c.get().convId() + "', whose file is "
                        + ConversationIdCodec.stateName(expected));
            }
            return Optional.empty();
        } catch (StoreException e) {
            return Optional.of(e.getMessage());
        }
    }

    private Path quarantineName(Path file) {
        String base = file.getFileName() + ConversationIdCodec.QUARANTINE_INFIX
                + QUARANTINE_TIME.format(Instant.now());
        Path aside = sm.resolve(base);
        for (int i = 1; Files.exists(aside, LinkOption.NOFOLLOW_LINKS); i++) {
            aside = sm.resolve(base + "-" + i);
        }
        return aside;
    }

    @Override
    public Path root() {
        return root;
    }

    @Override
    public Path stateFile(String convId) {
        return stateFileOfStem(ConversationIdCodec.stem(convId));
    }

    @Override
    public Path archiveFile(String convId) {
        return archiveFileOfStem(ConversationIdCodec.stem(convId));
    }

    @Override
    public void close() {
        closed = true;
    }

    // ----- reading

    private Path stateFileOfStem(String stem) {
        return sm.resolve(ConversationIdCodec.stateName(stem));
    }

    private Path archiveFileOfStem(String stem) {
        return sm.resolve(ConversationIdCodec.archiveName(stem));
    }

    /**
     * Reads a whole state file and decodes it, or recognizes it as the file this store wrote
     * last for {@code stem} without reading it whole: the same file, unchanged since that write
     * ({@link FileIdentity}), and starting with the same bytes (its header: id, revision, update
     * time and counters, and then some).
     *
     * @param stem the conversation's stem, or null to read and decode the file in any case
     * @return the state, or empty if there is no file
     */
    private Optional<Conversation> readState(String convId, Path file, String stem) {
        FileIdentity identity = identify(convId, file);
        if (identity == null) {
            return Optional.empty();
        }
        checkSize(convId, file, identity.size());
        StateCache.Entry written = stem == null ? null : cache.get(stem);
        if (written != null && identity.sameFileUnchanged(written.identity())
                && startsAsWritten(convId, file, written.encoded())) {
            return Optional.of(written.encoded().state());
        }
        byte[] bytes;
        try (FileChannel channel = openChannel(file)) {
            if (channel == null) {
                return Optional.empty();
            }
            long size = channel.size();
            checkSize(convId, file, size);
            bytes = new byte[(int) size];
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    // Only a non-atomic writer (not ours) shrinks a state file in place.
                    throw new IOException("the file shrank while it was read");
                }
            }
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.READ, file, e);
        }
        try {
            return Optional.of(codec.decodeState(bytes));
        } catch (StateFileCodec.FormatException e) {
            throw new CorruptStateException(convId, file, e.reason(), e.getMessage(), e);
        }
    }

    /**
     * Tells whether a state file starts with the first bytes of {@code written}: its whole
     * header (id, revision, update time, counters), however long the id, and at least
     * {@link #RECOGNIZED_PREFIX} bytes.
     */
    private boolean startsAsWritten(String convId, Path file, EncodedState written) {
        byte[] prefix = new byte[Math.min(written.length(),
                Math.max(RECOGNIZED_PREFIX, written.contextFrom()))];
        try (FileChannel channel = openChannel(file)) {
            if (channel == null) {
                return false;
            }
            ByteBuffer buffer = ByteBuffer.wrap(prefix);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // Reads until the prefix is full or the file ends.
            }
            return written.startsWith(prefix, buffer.position())
                    && buffer.position() == prefix.length;
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.READ, file, e);
        }
    }

    /** Reads the header of a state file; empty if there is none. */
    private Optional<StateFileCodec.Header> readHeader(String convId, Path file,
                                                       StateFileCodec.HeaderScope scope) {
        try (FileChannel channel = openForReading(convId, file)) {
            if (channel == null) {
                return Optional.empty();
            }
            checkSize(convId, file, channel.size());
            InputStream in = Channels.newInputStream(channel);
            return Optional.of(codec.readHeader(in, scope));
        } catch (StateFileCodec.FormatException e) {
            throw new CorruptStateException(convId, file, e.reason(), e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.READ, file, e);
        }
    }

    /**
     * Opens a state file for reading without following a link; null if it does not exist.
     * Anything but a regular file (a directory, a FIFO that would block) is refused.
     */
    private FileChannel openForReading(String convId, Path file) throws IOException {
        return identify(convId, file) == null ? null : openChannel(file);
    }

    /**
     * Reads what a state file is, links not followed; null if it does not exist. Anything but a
     * regular file (a directory, a FIFO that would block on opening) is refused.
     */
    private static FileIdentity identify(String convId, Path file) {
        return requireRegularOrAbsent(convId, file, "unreadable state file");
    }

    /**
     * Reads what a file of the store is, links not followed; null if nothing is there. Anything
     * but a regular file is refused with {@link CorruptStateException} (reason
     * {@code NOT_A_REGULAR_FILE}).
     *
     * @param what what the file is, for the message ("unreadable archive")
     */
    static FileIdentity requireRegularOrAbsent(String convId, Path file, String what) {
        FileIdentity identity;
        try {
            identity = FileIdentity.of(file);
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.READ, file, e);
        }
        if (identity != null && !identity.regularFile()) {
            throw new CorruptStateException(convId, file, what,
                    CorruptStateException.Reason.NOT_A_REGULAR_FILE,
                    NotRegularFileException.detail(identity.kind()), null);
        }
        return identity;
    }

    /**
     * Tells whether {@code sm} is there: false only if nothing is at its name (the data root
     * itself may be missing). A directory that cannot be searched, or anything but a directory
     * at the name (a symbolic link, a file), is an error: the store cannot know what is stored.
     */
    private boolean smExists(String convId) {
        FileIdentity identity;
        try {
            identity = FileIdentity.of(sm);
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.READ, sm, e);
        }
        if (identity == null) {
            return false;
        }
        if (!identity.directory()) {
            throw new StoreIOException(convId, Step.READ, sm, new IOException("not a directory "
                    + "but " + identity.kind() + "; the store keeps its files in a directory sm/ "
                    + "of its own and never follows a link there"));
        }
        return true;
    }

    /** The real path of an existing {@code sm/}, without creating or syncing anything. */
    private Path realPathOfSm() {
        Path known = realSm;
        if (known != null) {
            return known;
        }
        try {
            return sm.toRealPath();
        } catch (IOException e) {
            throw new StoreIOException(null, Step.READ, sm, e);
        }
    }

    /** Opens a file known to be regular, links not followed; null if it is gone meanwhile. */
    private static FileChannel openChannel(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private void checkSize(String convId, Path file, long size) {
        if (size > codec.maxBytes()) {
            throw new CorruptStateException(convId, file, CorruptStateException.Reason.TOO_LARGE,
                    size + " bytes, over the limit of " + codec.maxBytes(), null);
        }
    }

    /**
     * Checks that the state file of {@code convId}, if any, holds that id in a schema this
     * version reads, and returns its revision (0 if none). Reads only the header: enough for a
     * write that leaves the state file alone (an archive append); a write that replaces or
     * removes it reads the whole file.
     */
    private long storedRevision(String convId, String stem) {
        Path file = stateFileOfStem(stem);
        Optional<StateFileCodec.Header> header = readHeader(convId, file,
                StateFileCodec.HeaderScope.IDENTITY);
        if (header.isEmpty()) {
            return 0;
        }
        if (!header.get().convId().equals(convId)) {
            throw new IdCollisionException(convId, header.get().convId(), file);
        }
        return header.get().revision();
    }

    // ----- writing

    private Conversation write(Conversation next, long storedRevision, Path directory,
                               String stem) {
        if (storedRevision == Long.MAX_VALUE) {
            throw new StoreException(next.convId(), "save of '" + next.convId()
                    + "' failed: the revision cannot grow past " + Long.MAX_VALUE, null);
        }
        Conversation stamped = next.withRevision(storedRevision + 1);
        StateCache.Entry previous = cache.get(stem);
        EncodedState encoded = codec.encode(stamped,
                previous == null ? null : previous.encoded());
        Path file = directory.resolve(ConversationIdCodec.stateName(stem));
        // Forgotten until the new file is in place: whatever happens below, the entry never
        // describes a file that is no longer there.
        cache.remove(stem);
        // Held across the rename and closed later, elsewhere: see DeferredCloser.
        FileChannel replaced = openToReplace(file);
        try {
            writer.replace(next.convId(), directory, stem, encoded.array());
        } finally {
            DeferredCloser.SHARED.closeLater(replaced);
        }
        // Still under the lock, so nobody else's write can come between the rename and this
        // stat. (If the directory fsync failed instead, no entry is kept.)
        FileIdentity identity = null;
        try {
            identity = FileIdentity.of(file);
        } catch (IOException e) {
            // Then the next write reads the file whole; this one is done.
        }
        if (identity != null) {
            cache.put(stem, new StateCache.Entry(encoded, identity));
        }
        return stamped;
    }

    /**
     * Opens the state file about to be replaced, so that freeing it is left to the closer; null
     * if there is none, or off POSIX file systems (where an open file may not be renamed over).
     */
    private static FileChannel openToReplace(Path file) {
        if (!NioFileOps.isUnix(file)) {
            return null;
        }
        try {
            return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            // Missing, or unreadable: the rename frees it in this thread, as without the closer.
            return null;
        }
    }

    private boolean deleteFile(String convId, Path file) {
        try {
            return ops.deleteIfExists(file);
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.DELETE, file, e);
        }
    }

    private ConversationLocks.Held lock(String convId, Path directory, String stem) {
        Path lockFile = directory.resolve(ConversationIdCodec.lockName(stem));
        try {
            return ConversationLocks.lock(lockFile);
        } catch (NotRegularFileException e) {
            throw new CorruptStateException(convId, lockFile, "unusable lock file",
                    CorruptStateException.Reason.NOT_A_REGULAR_FILE, e.getMessage(), e);
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.LOCK, lockFile, e);
        }
    }

    /**
     * Takes the lock of a write, and removes the temp files of this conversation that the first
     * write of this store saw and that are still there: under the lock, none of them belongs to
     * a live writer. Best effort: what cannot be removed now, {@link #check} reports. The removal
     * becomes durable with the write's directory fsync (or, if the write writes nothing, need
     * not be: a crash only brings back garbage).
     */
    private ConversationLocks.Held writeLock(String convId, Path directory, String stem) {
        ConversationLocks.Held held = lock(convId, directory, stem);
        if (!tempsSeen.isEmpty()) {
            List<Path> temps = tempsSeen.remove(stem);
            if (temps != null) {
                for (Path temp : temps) {
                    try {
                        ops.deleteIfExists(temp);
                    } catch (IOException e) {
                        // Left for check() to report.
                    }
                }
            }
        }
        return held;
    }

    /**
     * Returns {@code sm/} by its real path, creating it first if needed: mode 0700, and its parent
     * fsynced so that the new directory survives a power loss. A symbolic link at {@code sm} is
     * refused, so nothing is ever written outside the root through it.
     */
    private Path directory(String convId) {
        Path known = realSm;
        if (known != null) {
            return known;
        }
        synchronized (directoryInit) {
            if (realSm == null) {
                realSm = createDirectory(convId);
            }
            return realSm;
        }
    }

    private Path createDirectory(String convId) {
        try {
            Path absoluteRoot = root.toAbsolutePath();
            if (!Files.isDirectory(absoluteRoot)) {
                Files.createDirectories(absoluteRoot);
                Path parent = absoluteRoot.getParent();
                if (parent != null) {
                    ops.fsyncDirectory(parent);
                }
            }
            try {
                if (NioFileOps.isPosix(sm)) {
                    Files.createDirectory(sm, PosixFilePermissions.asFileAttribute(
                            NioFileOps.DIRECTORY_MODE));
                    Files.getFileAttributeView(sm, PosixFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS).setPermissions(NioFileOps.DIRECTORY_MODE);
                } else {
                    Files.createDirectory(sm);
                }
            } catch (FileAlreadyExistsException exists) {
                // Created before (or by another process just now); checked below.
            }
            // Once per store, even if sm/ existed: its creator may have crashed (or failed)
            // before this fsync, and files in sm/ are only durable if sm/ itself is.
            ops.fsyncDirectory(absoluteRoot);
            BasicFileAttributes attributes = Files.readAttributes(sm, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attributes.isDirectory()) {
                throw new IOException("not a directory (a symbolic link or a file is refused)");
            }
            Path real = sm.toRealPath();
            noteTemps(real);
            return real;
        } catch (IOException e) {
            throw new StoreIOException(convId, Step.CREATE_DIRECTORY, sm, e);
        }
    }

    /**
     * Notes the temp files in {@code sm/} by stem, once per store (at its first write), for the
     * writes of their conversations to remove. The common case, no temp file, costs one
     * directory listing, as it did when the store removed them on opening.
     */
    private void noteTemps(Path directory) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory,
                "*" + ConversationIdCodec.TEMP_SUFFIX)) {
            for (Path temp : entries) {
                ConversationIdCodec.stemOfTempName(temp.getFileName().toString()).ifPresent(
                        stem -> tempsSeen.computeIfAbsent(stem, k -> new ArrayList<>())
                                .add(temp));
            }
        } catch (IOException e) {
            // Then nothing is removed by writes; check() still reports and repairs them.
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store on " + root + " is closed");
        }
    }
}
