package dev.palimpsest.store.memory;

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
import dev.palimpsest.store.spi.ChangeRules;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * A {@link ConversationStore} in memory. Each conversation has its own lock, so writers of
 * different conversations never wait for each other; message ids and round starts are indexed,
 * so a retry check or a range read costs the same at round 100,000 as at round 100. Nothing
 * survives the JVM.
 */
public final class InMemoryConversationStore implements ConversationStore {
    private final ConcurrentSkipListMap<String, Conversation> conversations =
            new ConcurrentSkipListMap<>(ConversationIds.ORDER);
    private volatile boolean closed;

    /** An empty store. */
    public InMemoryConversationStore() {
    }

    /** One conversation: its state, every message it ever held, and its indexes. */
    private static final class Conversation implements ChangeRules.History {
        ConversationState state;
        final List<StoredMessage> messages = new ArrayList<>();
        final Map<String, StoredMessage> byId = new HashMap<>();
        /** The index in {@link #messages} of the first message of each round. */
        final List<Integer> roundStarts = new ArrayList<>();
        boolean deleted;

        Conversation(String convId) {
            state = ConversationState.empty(convId);
        }

        @Override
        public long revision() {
            return state.revision();
        }

        @Override
        public Counters counters() {
            return state.counters();
        }

        @Override
        public Optional<Round> lastRound() {
            return state.lastRound();
        }

        @Override
        public Optional<StoredMessage> messageById(String messageId) {
            return Optional.ofNullable(byId.get(messageId));
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, "the store is closed");
        }
    }

    /** Runs {@code body} under the lock of a conversation that exists (or is created). */
    private <T> T locked(String convId, boolean create, Function<Conversation, T> body) {
        checkOpen();
        ConversationIds.check(convId);
        while (true) {
            Conversation c = create ? conversations.computeIfAbsent(convId, Conversation::new)
                    : conversations.get(convId);
            if (c == null) {
                return body.apply(null);
            }
            synchronized (c) {
                if (!c.deleted) {
                    return body.apply(c);
                }
            }
            // Deleted while we waited for its lock: look the id up again.
        }
    }

    @Override
    public Optional<ConversationState> load(String convId) {
        return locked(convId, false, c -> c == null || !c.state.isStored()
                ? Optional.<ConversationState>empty() : Optional.of(c.state));
    }

    @Override
    public AppendResult append(AppendRequest request) {
        return locked(request.convId(), true, c -> {
            try {
                ChangeRules.AppendPlan plan = ChangeRules.planAppend(request, c);
                if (plan.changes()) {
                    c.state = c.state.withAppended(plan.toAppend(), c.state.revision() + 1,
                            request.at());
                    for (StoredMessage m : plan.toAppend()) {
                        if (c.roundStarts.size() < m.roundSeq()) {
                            c.roundStarts.add(c.messages.size());
                        }
                        c.messages.add(m);
                        m.message().id().ifPresent(id -> c.byId.put(id, m));
                    }
                }
                return new AppendResult(request.convId(), c.state.revision(), plan.results(),
                        plan.alreadyStored(), c.state.counters());
            } finally {
                if (!c.state.isStored()) {
                    // A refused first append leaves no conversation behind.
                    c.deleted = true;
                    conversations.remove(request.convId(), c);
                }
            }
        });
    }

    @Override
    public long commitCompaction(CompactionRequest request) {
        return locked(request.convId(), false, c -> {
            Conversation stored = requireStored(c, request.convId());
            ChangeRules.checkCompaction(request, stored.state.counters());
            stored.state = stored.state.withCompaction(request.throughRound(),
                    request.compressedContext(), request.contextTokens(),
                    stored.state.revision() + 1, request.at());
            return stored.state.revision();
        });
    }

    @Override
    public long recordCompactionFailure(String convId, Instant at) {
        return locked(convId, false, c -> {
            Conversation stored = requireStored(c, convId);
            stored.state = stored.state.withCompactionFailure(stored.state.revision() + 1, at);
            return stored.state.revision();
        });
    }

    private static Conversation requireStored(Conversation c, String convId) {
        if (c == null || !c.state.isStored()) {
            throw new PalimpsestException(FailureKind.NOT_FOUND, convId,
                    "conversation '" + convId + "' does not exist");
        }
        return c;
    }

    private static void checkRange(String convId, long from, int limit) {
        if (from < 1 || limit < 0) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, convId, String.format(
                    "a range of '%s' starts at 1 or later and holds 0 or more, was from %d"
                            + " limit %d", convId, from, limit));
        }
    }

    @Override
    public List<StoredMessage> messages(String convId, long fromSeq, int limit) {
        checkRange(convId, fromSeq, limit);
        return locked(convId, false, c -> {
            Conversation stored = requireStored(c, convId);
            int size = stored.messages.size();
            if (fromSeq > size) {
                return List.<StoredMessage>of();
            }
            int from = (int) fromSeq - 1;
            return List.copyOf(stored.messages.subList(from,
                    (int) Math.min(size, (long) from + limit)));
        });
    }

    @Override
    public List<Round> rounds(String convId, long fromRound, int limit) {
        checkRange(convId, fromRound, limit);
        return locked(convId, false, c -> {
            Conversation stored = requireStored(c, convId);
            List<Round> out = new ArrayList<>();
            int rounds = stored.roundStarts.size();
            for (long r = fromRound; r <= rounds && out.size() < limit; r++) {
                int start = stored.roundStarts.get((int) r - 1);
                int end = r == rounds ? stored.messages.size()
                        : stored.roundStarts.get((int) r);
                out.add(new Round(r, stored.messages.subList(start, end)));
            }
            return out;
        });
    }

    @Override
    public Optional<StoredMessage> messageById(String convId, String messageId) {
        return locked(convId, false, c -> c == null ? Optional.<StoredMessage>empty()
                : c.messageById(messageId));
    }

    @Override
    public ConversationPage list(Optional<String> after, int limit) {
        checkOpen();
        if (limit < 1) {
            throw PalimpsestException.invalid("a page holds at least 1 id, was " + limit);
        }
        Map<String, Conversation> tail = after.isPresent()
                ? conversations.tailMap(after.get(), false) : conversations;
        List<String> ids = new ArrayList<>();
        boolean more = false;
        for (Map.Entry<String, Conversation> e : tail.entrySet()) {
            if (!e.getValue().state.isStored()) {
                continue;
            }
            if (ids.size() == limit) {
                more = true;
                break;
            }
            ids.add(e.getKey());
        }
        return new ConversationPage(ids, more ? Optional.of(ids.get(ids.size() - 1))
                : Optional.empty());
    }

    @Override
    public boolean delete(String convId) {
        return locked(convId, false, c -> {
            if (c == null) {
                return false;
            }
            boolean existed = c.state.isStored();
            c.deleted = true;
            c.messages.clear();
            c.byId.clear();
            c.state = ConversationState.empty(convId);
            conversations.remove(convId, c);
            return existed;
        });
    }

    @Override
    public void close() {
        closed = true;
    }
}
