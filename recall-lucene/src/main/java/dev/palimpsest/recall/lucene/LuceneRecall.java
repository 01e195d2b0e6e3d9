package dev.palimpsest.recall.lucene;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.ConversationIds;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.store.SummaryPage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.ConcurrentMergeScheduler;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * {@link Recall} on a Lucene index (BM25) kept in a directory of its own, beside any
 * {@link ConversationStore}.
 *
 * <p>The index is derived data: each conversation's messages are indexed in seq order, with a
 * mark saying how far, and the store stays the source of truth. Lucene lets one process write an
 * index, so the process that holds the index's write lock (the first to open it; another takes
 * over when it exits) indexes: on {@link #appended}, and at each search for whatever the store
 * holds past the marks (appends of other processes, and everything after a crash or with no
 * index at all). It commits every {@link LuceneRecallOptions#commitEveryMessages()} messages or
 * {@link LuceneRecallOptions#commitInterval()}. A process that does not hold the lock searches
 * the committed index and, beside it, a temporary index of what the store holds past its marks,
 * scored as one (BM25 over both), so no search misses an acknowledged message.
 *
 * <p>A hit is read back from the store before it is returned, and left out if the store no
 * longer has that message (a deleted conversation, or one deleted and made again): the index
 * never answers with text the store does not hold. {@link #erase} deletes a conversation's
 * documents and rewrites the index segments that held them, or, when another process holds the
 * index, asks it to and waits. A damaged index is rebuilt from the store by its writer.
 *
 * <p>Safe for use by many threads: indexing is serialized, searches run side by side.
 */
public final class LuceneRecall implements Recall {
    private static final int PAGE = 256;
    private static final int LIST_PAGE = 1_000;
    /** Hits asked of the index beyond the limit, for those the store no longer has. */
    private static final int SPARE_HITS = 16;
    /** Merges an erasure waits for before it gives up (each one rewrites what is left). */
    private static final int MAX_ERASE_ROUNDS = 8;
    /** Batches of appended messages queued for indexing at most; past them, searches catch up. */
    static final int MAX_PENDING = 4_096;
    /** How often the writer's thread indexes the queued batches. */
    static final long DRAIN_MILLIS = 20;
    /** Queued batches that wake the writer's thread before its next round. */
    static final int DRAIN_EARLY = 256;

    private final Path root;
    private final ConversationStore store;
    private final LuceneRecallOptions options;
    private final Analyzer analyzer = QueryTerms.analyzer();
    private final Directory directory;
    private final EraseRequests erasures;
    private final ReentrantLock indexing = new ReentrantLock();
    private final ErasingMergePolicy mergePolicy = new ErasingMergePolicy();
    private final ScheduledExecutorService committer;
    private final ConcurrentLinkedQueue<Pending> pending = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Whether this process holds the index: {@code writer != null}, readable without the lock. */
    private volatile boolean holdsIndex;

    // Guarded by indexing.
    private IndexWriter writer;
    private ConcurrentMergeScheduler mergeScheduler;
    private DirectoryReader reader;
    private final Map<String, Long> through = new HashMap<>();
    /** The hash of each marked conversation's last indexed message, as far as known. */
    private final Map<String, Long> lastHash = new HashMap<>();
    private boolean marksLoaded;
    private int uncommitted;
    private long firstUncommittedNanos;
    private long lastWriterAttemptNanos;
    private volatile boolean closed;

    private LuceneRecall(Path root, ConversationStore store, LuceneRecallOptions options)
            throws IOException {
        this.root = root;
        this.store = store;
        this.options = options;
        Path indexDir = root.resolve("index");
        Files.createDirectories(indexDir);
        this.directory = FSDirectory.open(indexDir);
        this.erasures = new EraseRequests(root.resolve("erase"));
        this.committer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "palimpsest-recall-commit");
            t.setDaemon(true);
            return t;
        });
        long period = options.commitInterval().toMillis();
        committer.scheduleWithFixedDelay(this::tick, period, period, TimeUnit.MILLISECONDS);
        committer.scheduleWithFixedDelay(() -> {
            if (pendingCount.get() > 0) {
                drain();
            }
        }, DRAIN_MILLIS, DRAIN_MILLIS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the recall whose index lives under {@code root}, with the default options.
     *
     * @param root  the recall's directory (made if missing); its {@code index} holds the Lucene
     *              index, its {@code erase} the erasures asked by other processes
     * @param store the store it recalls from
     * @return the recall
     */
    public static LuceneRecall open(Path root, ConversationStore store) {
        return open(root, store, LuceneRecallOptions.DEFAULTS);
    }

    /**
     * Opens the recall whose index lives under {@code root}.
     *
     * @param root    the recall's directory (made if missing)
     * @param store   the store it recalls from
     * @param options when it commits and how long an erasure waits
     * @return the recall
     * @throws PalimpsestException of kind {@code IO} if the directory cannot be made or opened
     */
    public static LuceneRecall open(Path root, ConversationStore store,
                                    LuceneRecallOptions options) {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(options, "options");
        try {
            LuceneRecall recall = new LuceneRecall(root, store, options);
            recall.indexing.lock();
            try {
                recall.tryToWrite(true);
            } finally {
                recall.indexing.unlock();
            }
            return recall;
        } catch (IOException e) {
            throw new PalimpsestException(FailureKind.IO, null,
                    "recall index at " + root + " cannot be opened: " + e, e);
        }
    }

    /** {@return whether this process holds the index and indexes} */
    public boolean indexes() {
        indexing.lock();
        try {
            return writer != null;
        } finally {
            indexing.unlock();
        }
    }

    @Override
    public List<RecallHit> search(RecallQuery query) {
        Objects.requireNonNull(query, "query");
        Set<String> words = QueryTerms.words(analyzer, query.text());
        if (words.isEmpty()) {
            return List.of();
        }
        Query match = QueryTerms.anyOf(words);
        if (query.convId().isPresent()) {
            match = new BooleanQuery.Builder()
                    .add(match, BooleanClause.Occur.MUST)
                    .add(new TermQuery(MessageDocs.convTerm(query.convId().get())),
                            BooleanClause.Occur.FILTER)
                    .build();
        }
        try {
            for (int attempt = 0; ; attempt++) {
                Answer answer = answer(query, match);
                if (answer.stale().isEmpty() || attempt > 0 || !rebuild(answer.stale())) {
                    return answer.hits();
                }
            }
        } catch (IOException e) {
            throw new PalimpsestException(FailureKind.IO, query.convId().orElse(null),
                    "recall index at " + root + " failed a search: " + e, e);
        }
    }

    /** The hits of one search, and the conversations whose documents no longer match the store. */
    private record Answer(List<RecallHit> hits, Set<String> stale) {
    }

    private Answer answer(RecallQuery query, Query match) throws IOException {
        DirectoryReader main;
        TailIndex tail = null;
        indexing.lock();
        try {
            ensureOpen();
            dropLostWriter();
            tryToWrite(false);
            if (writer != null) {
                applyErasures();
                drainPending();
                if (query.convId().isPresent()) {
                    catchUp(query.convId().get());
                } else {
                    catchUpAll();
                }
                refresh();
            } else {
                refresh();
                tail = tailOf(query.convId());
            }
            main = reader;
            if (main != null) {
                main.incRef();
            }
        } finally {
            indexing.unlock();
        }
        try {
            List<IndexReader> parts = new ArrayList<>(2);
            if (main != null) {
                parts.add(main);
            }
            if (tail != null && tail.reader() != null) {
                parts.add(tail.reader());
            }
            if (parts.isEmpty()) {
                return new Answer(List.of(), Set.of());
            }
            // closeSubReaders = false: the parts are released below. A MultiReader of that kind
            // holds a reference to each part until it is closed itself.
            MultiReader both = parts.size() == 1 ? null
                    : new MultiReader(parts.toArray(new IndexReader[0]), false);
            try {
                IndexReader all = both == null ? parts.get(0) : both;
                IndexSearcher searcher = new IndexSearcher(all);
                TopDocs top = searcher.search(match, query.limit() + SPARE_HITS);
                return materialize(all.leaves(), top, query.limit());
            } finally {
                if (both != null) {
                    both.close();
                }
            }
        } finally {
            if (main != null) {
                main.decRef();
            }
            if (tail != null) {
                tail.close();
            }
        }
    }

    private Answer materialize(List<LeafReaderContext> leaves, TopDocs top, int limit)
            throws IOException {
        List<RecallHit> hits = new ArrayList<>();
        Set<String> stale = new HashSet<>();
        // A recreated conversation searched by a process that does not write the index is in
        // the committed index and in the tail: a message of both is one hit.
        Set<String> seen = new HashSet<>();
        for (ScoreDoc doc : top.scoreDocs) {
            if (hits.size() == limit) {
                break;
            }
            MessageDocs.Pointer at = MessageDocs.pointer(leaves, doc.doc);
            if (!seen.add(at.convId() + '\u0000' + at.seq())) {
                continue;
            }
            Optional<StoredMessage> stored = storedAt(at.convId(), at.seq());
            if (stored.isEmpty()
                    || MessageDocs.hash(MessageDocs.words(stored.get().message())) != at.hash()) {
                stale.add(at.convId());
                continue;
            }
            hits.add(new RecallHit(at.convId(), stored.get(), doc.score));
        }
        return new Answer(hits, stale);
    }

    private Optional<StoredMessage> storedAt(String convId, long seq) {
        try {
            List<StoredMessage> found = store.messages(convId, seq, 1);
            return found.isEmpty() || found.get(0).seq() != seq ? Optional.empty()
                    : Optional.of(found.get(0));
        } catch (PalimpsestException e) {
            if (e.kind() == FailureKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Indexes the stale conversations again from the store; false if this process cannot. */
    private boolean rebuild(Set<String> stale) throws IOException {
        indexing.lock();
        try {
            ensureOpen();
            if (writer == null) {
                return false;
            }
            eraseHeld(stale);
            for (String convId : stale) {
                catchUp(convId);
            }
            return true;
        } finally {
            indexing.unlock();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The writer indexes them on its own thread, every {@value #DRAIN_MILLIS} ms, so an
     * append does not wait for the index; this call only queues them (up to
     * {@value #MAX_PENDING} batches: past that, and in a process that does not hold the index,
     * it does nothing, and the next search indexes them from the store).
     */
    @Override
    public void appended(String convId, List<StoredMessage> appended) {
        ConversationIds.check(convId);
        ensureOpen();
        if (appended.isEmpty() || !holdsIndex) {
            return;
        }
        if (pendingCount.incrementAndGet() > MAX_PENDING) {
            pendingCount.decrementAndGet();
            return;
        }
        pending.add(new Pending(convId, List.copyOf(appended)));
        // The writer's thread drains the queue every DRAIN_MILLIS; waking it per append would
        // cost the appending thread a context switch, so only a long queue wakes it early.
        if (pendingCount.get() >= DRAIN_EARLY && drainScheduled.compareAndSet(false, true)) {
            try {
                committer.execute(this::drain);
            } catch (RejectedExecutionException closing) {
                // Closed meanwhile: close() indexes what is queued before it commits.
                drainScheduled.set(false);
            }
        }
    }

    /** A batch of appended messages, queued for the writer's thread. */
    private record Pending(String convId, List<StoredMessage> messages) {
    }

    private void drain() {
        drainScheduled.set(false);
        indexing.lock();
        try {
            if (!closed && writer != null) {
                drainPending();
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.log(System.Logger.Level.WARNING, "recall index at " + root
                    + " failed to index appended messages (the next search indexes them from"
                    + " the store): " + e);
            dropLostWriter();
        } finally {
            indexing.unlock();
        }
    }

    /**
     * Lets go of a writer that Lucene closed after a fatal failure, so that the next search
     * opens the index afresh (and indexes from the store what the lost writer had not
     * committed) instead of failing on a closed writer. Under the indexing lock.
     */
    private void dropLostWriter() {
        if (writer != null && !writer.isOpen()) {
            writer = null;
            holdsIndex = false;
            pending.clear();
            pendingCount.set(0);
            through.clear();
            lastHash.clear();
            marksLoaded = false;
            lastWriterAttemptNanos = System.nanoTime() - options.commitInterval().toNanos();
            if (reader != null) {
                try {
                    reader.decRef();
                } catch (IOException e) {
                    Log.LOG.log(System.Logger.Level.DEBUG, "closing the lost writer's reader: "
                            + e);
                }
                reader = null;
            }
        }
    }

    /** Indexes the queued batches; under the indexing lock, as the writer. */
    private void drainPending() throws IOException {
        for (Pending p = pending.poll(); p != null; p = pending.poll()) {
            pendingCount.decrementAndGet();
            List<StoredMessage> batch = p.messages();
            // A batch queued by an append the store has since deleted (or replaced) must not
            // bring the deleted words back: its first message must still be the store's.
            StoredMessage first = batch.get(0);
            Optional<StoredMessage> stored = storedAt(p.convId(), first.seq());
            if (stored.isEmpty() || MessageDocs.hash(MessageDocs.words(stored.get().message()))
                    != MessageDocs.hash(MessageDocs.words(first.message()))) {
                continue;
            }
            long indexed = indexedThrough(p.convId());
            if (batch.get(0).seq() == indexed + 1) {
                for (StoredMessage m : batch) {
                    writer.addDocument(MessageDocs.message(p.convId(), m));
                }
                setMark(p.convId(), batch.get(batch.size() - 1), batch.size());
            } else if (batch.get(batch.size() - 1).seq() > indexed) {
                catchUp(p.convId());
            }
        }
    }

    @Override
    public void erase(String convId) {
        ConversationIds.check(convId);
        long deadline = System.nanoTime() + options.eraseWait().toNanos();
        try {
            indexing.lock();
            try {
                ensureOpen();
                tryToWrite(true);
                if (writer != null) {
                    eraseHeld(Set.of(convId));
                    return;
                }
                erasures.request(convId);
            } finally {
                indexing.unlock();
            }
            while (true) {
                indexing.lock();
                try {
                    ensureOpen();
                    tryToWrite(true);
                    if (writer != null) {
                        applyErasures();
                        return;
                    }
                } finally {
                    indexing.unlock();
                }
                if (!erasures.pending(convId)) {
                    return;
                }
                if (System.nanoTime() - deadline >= 0) {
                    throw new PalimpsestException(FailureKind.IO, convId, "recall index at " + root
                            + " is held by another process, which did not erase '" + convId
                            + "' within " + options.eraseWait().toMillis() + " ms; the request"
                            + " stays, and searches leave out what the store no longer has");
                }
                Thread.sleep(10);
            }
        } catch (IOException e) {
            throw new PalimpsestException(FailureKind.IO, convId,
                    "recall index at " + root + " failed to erase '" + convId + "': " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PalimpsestException(FailureKind.IO, convId, "erasure of '" + convId
                    + "' from the recall index was interrupted; the request stays", e);
        }
    }

    @Override
    public void close() {
        // Never interrupted: Lucene's writer treats an interrupt inside its I/O (a channel
        // closed by it) as fatal and closes itself. Its thread's task ends on its own.
        committer.shutdown();
        try {
            if (!committer.awaitTermination(30, TimeUnit.SECONDS)) {
                Log.LOG.log(System.Logger.Level.WARNING, "recall index at " + root
                        + ": its writer's thread did not end within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        indexing.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (writer != null && !writer.isOpen()) {
                // A writer Lucene closed after a fatal failure: what it indexed since its last
                // commit is gone, and the next holder indexes it again from the store.
                writer = null;
                holdsIndex = false;
            }
            if (writer != null) {
                try {
                    drainPending();
                } catch (IOException | RuntimeException e) {
                    // Not indexed now: the next holder indexes it from the store.
                    Log.LOG.log(System.Logger.Level.WARNING, "recall index at " + root
                            + " did not index its queued messages before closing: " + e);
                }
            }
            // Each resource is released whatever the one before did, so the write lock and
            // the mapped files never outlive the recall.
            IOException failed = null;
            try {
                if (reader != null) {
                    reader.decRef();
                    reader = null;
                }
            } catch (IOException e) {
                failed = e;
            }
            try {
                if (writer != null) {
                    // Commits what was indexed (commitOnClose), so the next process starts there.
                    writer.close();
                }
            } catch (IOException | RuntimeException e) {
                failed = failed == null ? new IOException(e) : failed;
                try {
                    writer.rollback();
                } catch (IOException | RuntimeException ignored) {
                    // Closing it was the point; the lock goes with it either way.
                }
            } finally {
                writer = null;
                holdsIndex = false;
            }
            try {
                directory.close();
            } catch (IOException e) {
                failed = failed == null ? e : failed;
            }
            if (failed != null) {
                throw new PalimpsestException(FailureKind.IO, null,
                        "recall index at " + root + " failed to close: " + failed, failed);
            }
        } finally {
            indexing.unlock();
        }
    }

    // ---- indexing, all under the indexing lock ----

    private void ensureOpen() {
        if (closed) {
            throw PalimpsestException.invalid("the recall over " + root + " is closed");
        }
    }

    /**
     * Takes the index's write lock if no process holds it: at open, before an erasure, and at
     * most once per commit interval otherwise (so a reader takes over from a writer that left).
     */
    private void tryToWrite(boolean now) throws IOException {
        if (writer != null) {
            return;
        }
        long t = System.nanoTime();
        if (!now && t - lastWriterAttemptNanos < options.commitInterval().toNanos()) {
            return;
        }
        lastWriterAttemptNanos = t;
        IndexWriter opened;
        try {
            opened = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.CREATE_OR_APPEND));
        } catch (LockObtainFailedException held) {
            return;
        } catch (CorruptIndexException | IndexFormatTooOldException
                 | IndexFormatTooNewException damaged) {
            opened = recreate(damaged);
            if (opened == null) {
                return;
            }
        }
        DirectoryReader nrt;
        try {
            nrt = DirectoryReader.open(opened);
        } catch (CorruptIndexException | IndexFormatTooOldException
                 | IndexFormatTooNewException damaged) {
            opened.rollback();
            opened = recreate(damaged);
            if (opened == null) {
                return;
            }
            nrt = DirectoryReader.open(opened);
        }
        if (reader != null) {
            reader.decRef();
        }
        writer = opened;
        holdsIndex = true;
        reader = nrt;
        through.clear();
        lastHash.clear();
        marksLoaded = false;
    }

    private IndexWriter recreate(IOException damaged) throws IOException {
        Log.LOG.log(System.Logger.Level.WARNING, "recall index at " + root
                + " is damaged and is rebuilt from the store: " + damaged);
        // Derived data: the files go, and the store is indexed again. (Lucene's own CREATE mode
        // reads the old commit first, which fails on the very damage that brought us here.)
        // The files are deleted under the write lock, so that no other process rebuilding the
        // same damage deletes this one's fresh commit; if another took the lock, it writes.
        try (org.apache.lucene.store.Lock lock = directory.obtainLock(
                IndexWriter.WRITE_LOCK_NAME)) {
            lock.ensureValid();
            for (String file : directory.listAll()) {
                if (!file.equals(IndexWriter.WRITE_LOCK_NAME)) {
                    directory.deleteFile(file);
                }
            }
        } catch (LockObtainFailedException held) {
            return null;
        }
        IndexWriter fresh;
        try {
            fresh = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.CREATE));
        } catch (LockObtainFailedException held) {
            return null;
        }
        fresh.commit();
        return fresh;
    }

    private IndexWriterConfig config(IndexWriterConfig.OpenMode mode) {
        mergeScheduler = new ConcurrentMergeScheduler();
        return new IndexWriterConfig(analyzer)
                .setMergeScheduler(mergeScheduler)
                .setOpenMode(mode)
                .setMergePolicy(mergePolicy)
                .setCommitOnClose(true);
    }

    /** Opens the newest view: the writer's own (uncommitted included), or the last commit. */
    private void refresh() throws IOException {
        if (writer != null) {
            DirectoryReader newer = DirectoryReader.openIfChanged(reader, writer);
            if (newer != null) {
                reader.decRef();
                reader = newer;
            }
            return;
        }
        try {
            if (reader == null) {
                if (DirectoryReader.indexExists(directory)) {
                    reader = DirectoryReader.open(directory);
                }
                return;
            }
            DirectoryReader newer = DirectoryReader.openIfChanged(reader);
            if (newer != null) {
                reader.decRef();
                reader = newer;
            }
        } catch (CorruptIndexException | IndexFormatTooOldException
                 | IndexFormatTooNewException damaged) {
            // Not ours to rebuild: search as if nothing were indexed (the tail is everything).
            Log.LOG.log(System.Logger.Level.WARNING, "recall index at " + root
                    + " is damaged; searching the store past it until its writer rebuilds it: "
                    + damaged);
            if (reader != null) {
                reader.decRef();
                reader = null;
            }
        }
    }

    private long indexedThrough(String convId) throws IOException {
        Long known = through.get(convId);
        if (known != null) {
            return known;
        }
        long t = marksLoaded ? 0 : MessageDocs.through(reader, convId);
        through.put(convId, t);
        return t;
    }

    private void catchUpAll() throws IOException {
        if (!marksLoaded) {
            Map<String, Long> committed = MessageDocs.marks(reader);
            committed.putAll(through);
            through.clear();
            through.putAll(committed);
            marksLoaded = true;
        }
        Set<String> gone = new HashSet<>(through.keySet());
        Optional<String> after = Optional.empty();
        do {
            SummaryPage page = store.summaries(after, LIST_PAGE);
            for (ConversationSummary s : page.summaries()) {
                gone.remove(s.convId());
                if (through.getOrDefault(s.convId(), 0L) != s.counters().messagesTotal()) {
                    catchUp(s.convId(), s.counters().messagesTotal());
                }
            }
            for (PalimpsestException unreadable : page.unreadable()) {
                if (unreadable.convId() != null) {
                    gone.remove(unreadable.convId());
                }
            }
            after = page.next();
        } while (after.isPresent());
        if (!gone.isEmpty()) {
            eraseHeld(gone);
        }
    }

    private void catchUp(String convId) throws IOException {
        Optional<ConversationSummary> summary = store.summary(convId);
        if (summary.isEmpty()) {
            if (indexedThrough(convId) > 0) {
                eraseHeld(Set.of(convId));
            }
            return;
        }
        catchUp(convId, summary.get().counters().messagesTotal());
    }

    /** Indexes {@code convId}'s messages past its mark, through {@code head} at least. */
    private void catchUp(String convId, long head) throws IOException {
        long indexed = indexedThrough(convId);
        if (indexed > head || (indexed > 0 && !markHolds(convId, indexed))) {
            // Fewer messages than indexed, or another message at the mark: the conversation
            // was deleted and made again.
            eraseHeld(Set.of(convId));
            indexed = 0;
        }
        boolean stored = forEachPage(convId, indexed + 1, head, page -> {
            for (StoredMessage m : page) {
                writer.addDocument(MessageDocs.message(convId, m));
            }
            // Marked page by page: a store failure on the next page leaves this one marked, so
            // the next catch-up does not index it twice.
            setMark(convId, page.get(page.size() - 1), page.size());
        });
        if (!stored) {
            eraseHeld(Set.of(convId));
        }
    }

    /** What is done with each page of a conversation's messages. */
    @FunctionalInterface
    private interface PageAction {
        void accept(List<StoredMessage> page) throws IOException;
    }

    /**
     * Reads {@code convId}'s messages from {@code from} through {@code head}, a page at a time.
     *
     * @return false if the store no longer has the conversation (deleted meanwhile)
     */
    private boolean forEachPage(String convId, long from, long head, PageAction action)
            throws IOException {
        long next = from;
        while (next <= head) {
            List<StoredMessage> page;
            try {
                page = store.messages(convId, next, PAGE);
            } catch (PalimpsestException e) {
                if (e.kind() == FailureKind.NOT_FOUND) {
                    return false;
                }
                throw e;
            }
            if (page.isEmpty()) {
                return true;
            }
            action.accept(page);
            next = page.get(page.size() - 1).seq() + 1;
        }
        return true;
    }

    /** {@return whether the store's message at the mark is the one that was indexed there} */
    private boolean markHolds(String convId, long seq) throws IOException {
        Long known = lastHash.get(convId);
        long hash = known != null ? known : MessageDocs.markHash(reader, convId);
        if (known == null) {
            lastHash.put(convId, hash);
        }
        Optional<StoredMessage> stored = storedAt(convId, seq);
        return stored.isPresent()
                && MessageDocs.hash(MessageDocs.words(stored.get().message())) == hash;
    }

    private void setMark(String convId, StoredMessage last, int added) throws IOException {
        long seq = last.seq();
        long hash = MessageDocs.hash(MessageDocs.words(last.message()));
        writer.updateDocument(MessageDocs.markTerm(convId), MessageDocs.mark(convId, seq, hash));
        through.put(convId, seq);
        lastHash.put(convId, hash);
        if (uncommitted == 0) {
            firstUncommittedNanos = System.nanoTime();
        }
        uncommitted += Math.max(1, added);
        if (uncommitted >= options.commitEveryMessages()) {
            commit();
        }
    }

    private void commit() throws IOException {
        writer.commit();
        uncommitted = 0;
    }

    private void applyErasures() throws IOException {
        List<String> asked = erasures.pending();
        if (asked.isEmpty()) {
            return;
        }
        eraseHeld(new HashSet<>(asked));
        for (String convId : asked) {
            erasures.done(convId);
        }
    }

    /**
     * Deletes the conversations' documents and rewrites the segments that held them, then
     * commits and drops the old files, so that no file of the index keeps their words.
     */
    private void eraseHeld(Set<String> convIds) throws IOException {
        // Batches queued before the store deleted them must not bring their words back.
        for (Pending p : pending) {
            if (convIds.contains(p.convId()) && pending.remove(p)) {
                pendingCount.decrementAndGet();
            }
        }
        refresh();
        Set<String> segments = segmentsHolding(convIds);
        for (String convId : convIds) {
            writer.deleteDocuments(MessageDocs.convTerm(convId));
            through.put(convId, 0L);
            lastHash.remove(convId);
        }
        // Documents still in the writer's buffer were never written: deleting them is enough.
        // A segment may be in a merge of Lucene's own already (one with many deleted marks),
        // which forceMergeDeletes neither repeats nor waits for: wait for every merge, and
        // look again, until no segment that held the conversations is left.
        for (int round = 0; !segments.isEmpty(); round++) {
            if (round == MAX_ERASE_ROUNDS) {
                throw new IOException("segments " + segments + " still hold erased"
                        + " conversations after " + round + " merges");
            }
            mergePolicy.target(segments);
            try {
                writer.forceMergeDeletes(true);
                mergeScheduler.sync();
            } finally {
                mergePolicy.target(Set.of());
            }
            refresh();
            // Found afresh each round: a merge of Lucene's own may have carried the deleted
            // documents into a segment of a new name (docFreq counts deleted documents too).
            segments = segmentsHolding(convIds);
        }
        commit();
        refresh();
        writer.deleteUnusedFiles();
    }

    /** {@return the segments that hold documents of the conversations, deleted ones too} */
    private Set<String> segmentsHolding(Set<String> convIds) throws IOException {
        Set<String> segments = new HashSet<>();
        for (LeafReaderContext leaf : reader.leaves()) {
            for (String convId : convIds) {
                if (leaf.reader().docFreq(MessageDocs.convTerm(convId)) > 0) {
                    segments.add(segmentName(leaf));
                }
            }
        }
        return segments;
    }

    private static String segmentName(LeafReaderContext leaf) {
        if (FilterLeafReader.unwrap(leaf.reader()) instanceof SegmentReader segment) {
            return segment.getSegmentName();
        }
        throw new IllegalStateException("a leaf of the index is not a segment: " + leaf.reader());
    }

    private TailIndex tailOf(Optional<String> convId) throws IOException {
        TailIndex tail = new TailIndex(analyzer);
        boolean done = false;
        try {
            if (convId.isPresent()) {
                Optional<ConversationSummary> summary = store.summary(convId.get());
                if (summary.isPresent()) {
                    long marked = reader == null ? 0 : MessageDocs.through(reader, convId.get());
                    long head = summary.get().counters().messagesTotal();
                    if (marked > 0 && marked <= head) {
                        Optional<StoredMessage> atMark = storedAt(convId.get(), marked);
                        if (atMark.isEmpty() || MessageDocs.hash(MessageDocs.words(
                                atMark.get().message())) != MessageDocs.markHash(reader,
                                convId.get())) {
                            // Deleted and made again since the mark: all of it is the tail.
                            marked = head + 1;
                        }
                    }
                    addTail(tail, convId.get(), marked, head);
                }
            } else {
                Map<String, Long> marks = reader == null ? Map.of() : MessageDocs.marks(reader);
                Optional<String> after = Optional.empty();
                do {
                    SummaryPage page = store.summaries(after, LIST_PAGE);
                    for (ConversationSummary s : page.summaries()) {
                        addTail(tail, s.convId(), marks.getOrDefault(s.convId(), 0L),
                                s.counters().messagesTotal());
                    }
                    after = page.next();
                } while (after.isPresent());
            }
            tail.open();
            done = true;
            return tail;
        } finally {
            if (!done) {
                tail.close();
            }
        }
    }

    private void addTail(TailIndex tail, String convId, long marked, long head)
            throws IOException {
        // A mark past the head: deleted and made again; its indexed documents are left out when
        // read back (the store's message differs), so the whole conversation is the tail.
        forEachPage(convId, marked > head ? 1 : marked + 1, head, page -> {
            for (StoredMessage m : page) {
                tail.add(convId, m);
            }
        });
    }

    private void tick() {
        if (!indexing.tryLock()) {
            return;
        }
        try {
            if (closed) {
                return;
            }
            if (writer == null) {
                return;
            }
            applyErasures();
            if (uncommitted > 0 && System.nanoTime() - firstUncommittedNanos
                    >= options.commitInterval().toNanos()) {
                commit();
            }
        } catch (IOException | RuntimeException e) {
            Log.LOG.log(System.Logger.Level.WARNING, "recall index at " + root
                    + " failed a timed commit (the next one retries): " + e);
        } finally {
            indexing.unlock();
        }
    }

    /** The logger, made on first use: most processes never log. */
    private static final class Log {
        static final System.Logger LOG = System.getLogger(LuceneRecall.class.getName());
    }
}
