package dev.palimpsest.engine;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConflictException;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.ConversationSummary;
import dev.palimpsest.persist.InvalidIdException;
import dev.palimpsest.persist.StoreIOException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A {@link ConversationStore} in memory with the file store's semantics: a reentrant exclusive
 * lock per conversation for every write, {@code update} that writes nothing when the change
 * returns the instance it got, optimistic {@code save} that stamps revision + 1, and an
 * append-only archive. It can simulate a crash between an archive append and the state write, and
 * counts archive reads so tests can prove the append path never reads the archive.
 */
public final class InMemoryConversationStore implements ConversationStore {
    /** Creates an empty store. */
    public InMemoryConversationStore() {
    }

    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final Map<String, Conversation> states = new ConcurrentHashMap<>();
    private final Map<String, List<Round>> archives = new ConcurrentHashMap<>();
    private final AtomicInteger crashesAfterArchive = new AtomicInteger();
    private final AtomicLong archiveReads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private volatile Predicate<Conversation> refusedWrites = next -> false;
    private volatile boolean closed;

    @Override
    public Conversation load(String convId) {
        checkOpen();
        checkId(convId);
        return states.getOrDefault(convId, Conversation.empty(convId));
    }

    @Override
    public Conversation save(Conversation conversation) {
        checkOpen();
        String id = conversation.convId();
        ReentrantLock lock = lock(id);
        lock.lock();
        try {
            long stored = load(id).revision();
            if (stored != conversation.revision()) {
                throw new ConflictException(id, conversation.revision(), stored);
            }
            return write(conversation.withRevision(stored + 1));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Conversation update(String convId, UnaryOperator<Conversation> change) {
        checkOpen();
        checkId(convId);
        ReentrantLock lock = lock(convId);
        lock.lock();
        try {
            Conversation current = load(convId);
            int archivedBefore = archiveSize(convId);
            Conversation next = change.apply(current);
            if (next == current) {
                return current;
            }
            if (!next.convId().equals(convId)) {
                throw new IllegalArgumentException("update of '" + convId
                        + "' returned a state of '" + next.convId() + "'");
            }
            if (refusedWrites.test(next)) {
                throw new StoreIOException(convId, StoreIOException.Step.WRITE,
                        stateFile(convId), new IOException("simulated write failure"));
            }
            if (archiveSize(convId) > archivedBefore && crashesAfterArchive.get() > 0) {
                crashesAfterArchive.decrementAndGet();
                throw new StoreIOException(convId, StoreIOException.Step.RENAME,
                        stateFile(convId), new IOException("simulated crash before the rename"));
            }
            return write(next.withRevision(current.revision() + 1));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void appendArchive(String convId, List<Round> rounds) {
        checkOpen();
        checkId(convId);
        List<Round> copy = List.copyOf(rounds);
        ReentrantLock lock = lock(convId);
        lock.lock();
        try {
            archives.computeIfAbsent(convId, id -> new ArrayList<>()).addAll(copy);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Stream<Round> archive(String convId) {
        checkOpen();
        checkId(convId);
        archiveReads.incrementAndGet();
        ReentrantLock lock = lock(convId);
        lock.lock();
        try {
            return List.copyOf(archives.getOrDefault(convId, List.of())).stream();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<ConversationSummary> list() {
        checkOpen();
        Map<String, Conversation> sorted = new TreeMap<>(states);
        List<ConversationSummary> summaries = new ArrayList<>();
        for (Conversation c : sorted.values()) {
            summaries.add(new ConversationSummary(c.convId(), c.revision(), c.updatedAt(),
                    c.counters()));
        }
        return summaries;
    }

    @Override
    public boolean delete(String convId) {
        checkOpen();
        checkId(convId);
        ReentrantLock lock = lock(convId);
        lock.lock();
        try {
            boolean state = states.remove(convId) != null;
            boolean archive = archives.remove(convId) != null;
            return state || archive;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CheckReport check(boolean repair) {
        checkOpen();
        return new CheckReport(states.size(), List.of(), repair);
    }

    @Override
    public Path root() {
        return Path.of("in-memory");
    }

    @Override
    public Path stateFile(String convId) {
        checkId(convId);
        return root().resolve("state-" + Integer.toHexString(convId.hashCode()));
    }

    @Override
    public Path archiveFile(String convId) {
        checkId(convId);
        return root().resolve("archive-" + Integer.toHexString(convId.hashCode()));
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Makes the next {@code count} updates that appended to the archive fail before writing. */
    void crashAfterArchiveAppend(int count) {
        crashesAfterArchive.set(count);
    }

    /** Makes every update whose new state matches {@code which} fail with an I/O error. */
    void refuseWrites(Predicate<Conversation> which) {
        refusedWrites = which;
    }

    /** Replaces a conversation's archive, to simulate a damaged one. */
    void replaceArchive(String convId, List<Round> rounds) {
        archives.put(convId, new ArrayList<>(rounds));
    }

    /** Returns the raw archive, duplicates included. */
    List<Round> rawArchive(String convId) {
        ReentrantLock lock = lock(convId);
        lock.lock();
        try {
            return List.copyOf(archives.getOrDefault(convId, List.of()));
        } finally {
            lock.unlock();
        }
    }

    long archiveReads() {
        return archiveReads.get();
    }

    long writes() {
        return writes.get();
    }

    private Conversation write(Conversation next) {
        states.put(next.convId(), next);
        writes.incrementAndGet();
        return next;
    }

    private int archiveSize(String convId) {
        List<Round> archive = archives.get(convId);
        return archive == null ? 0 : archive.size();
    }

    private ReentrantLock lock(String convId) {
        return locks.computeIfAbsent(convId, id -> new ReentrantLock());
    }

    private static void checkId(String convId) {
        Objects.requireNonNull(convId, "convId");
        if (convId.isEmpty()) {
            throw new InvalidIdException(convId, "the id is empty");
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the store is closed");
        }
    }
}
