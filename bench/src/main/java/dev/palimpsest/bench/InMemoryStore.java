package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConflictException;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.ConversationSummary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * A non-durable store in memory, used only to <em>set up</em> the 100,000-round conversation of
 * figure 2 quickly: the engine computes the same states through it as through the file store
 * (same update semantics), and {@link ScaleBenchmark} checks that at a smaller size before it
 * trusts it. One lock for everything: the setup is single-threaded.
 */
final class InMemoryStore implements ConversationStore {
    private final ConversationStore files;
    private final Map<String, Conversation> states = new HashMap<>();
    private final Map<String, List<Round>> archives = new HashMap<>();

    /**
     * Creates an empty store whose conversations will be copied into {@code files}.
     *
     * @param files the file store the set-up state is copied into; it names the root and the
     *              files of each conversation ({@link #stateFile}, {@link #archiveFile}), and
     *              nothing is written through it here
     */
    InMemoryStore(ConversationStore files) {
        this.files = files;
    }

    @Override
    public synchronized Conversation load(String convId) {
        return states.getOrDefault(convId, Conversation.empty(convId));
    }

    @Override
    public synchronized Conversation save(Conversation conversation) {
        Conversation current = load(conversation.convId());
        if (current.revision() != conversation.revision()) {
            throw new ConflictException(conversation.convId(), conversation.revision(),
                    current.revision());
        }
        Conversation stored = conversation.withRevision(conversation.revision() + 1);
        states.put(stored.convId(), stored);
        return stored;
    }

    @Override
    public synchronized Conversation update(String convId, UnaryOperator<Conversation> change) {
        Conversation current = load(convId);
        Conversation next = change.apply(current);
        if (next == current) {
            return current;
        }
        Conversation stored = next.withRevision(current.revision() + 1);
        states.put(convId, stored);
        return stored;
    }

    @Override
    public synchronized void appendArchive(String convId, List<Round> rounds) {
        archives.computeIfAbsent(convId, k -> new ArrayList<>()).addAll(rounds);
    }

    @Override
    public synchronized Stream<Round> archive(String convId) {
        return List.copyOf(archives.getOrDefault(convId, List.of())).stream();
    }

    @Override
    public synchronized List<ConversationSummary> list() {
        return states.values().stream().sorted((a, b) -> a.convId().compareTo(b.convId()))
                .map(c -> new ConversationSummary(c.convId(), c.revision(), c.updatedAt(),
                        c.counters()))
                .toList();
    }

    @Override
    public synchronized boolean delete(String convId) {
        boolean had = states.remove(convId) != null;
        return archives.remove(convId) != null || had;
    }

    @Override
    public CheckReport check(boolean repair) {
        return new CheckReport(0, List.of(), repair);
    }

    @Override
    public Path root() {
        return files.root();
    }

    @Override
    public Path stateFile(String convId) {
        // Where the conversation's state lands once the set-up copies it into the file store.
        return files.stateFile(convId);
    }

    @Override
    public Path archiveFile(String convId) {
        return files.archiveFile(convId);
    }

    @Override
    public void close() {
        // Nothing to release; the file store belongs to the caller, who closes it.
    }
}
