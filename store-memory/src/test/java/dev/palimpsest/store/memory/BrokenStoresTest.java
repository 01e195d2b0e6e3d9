package dev.palimpsest.store.memory;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationPage;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.SummaryPage;
import dev.palimpsest.store.contract.ConversationStoreContract;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;

/**
 * The contract can fail: run against stores broken on purpose, it catches each one. A suite that
 * passes every store would prove nothing about the stores that pass it.
 */
class BrokenStoresTest {

    private static long failuresOf(Class<?> suite) {
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite))
                .build(), listener);
        long failed = listener.getSummary().getTotalFailureCount();
        System.out.println(suite.getSimpleName() + ": " + failed + " of "
                + listener.getSummary().getTestsFoundCount() + " contract tests fail");
        return failed;
    }

    @Test
    void aStoreThatForgetsMessageIdsFails() {
        assertTrue(failuresOf(ForgetsIds.class) > 0);
    }

    @Test
    void aStoreThatIgnoresExpectationsFails() {
        assertTrue(failuresOf(IgnoresExpectations.class) > 0);
    }

    @Test
    void aStoreThatKeepsDeletedMessagesFails() {
        assertTrue(failuresOf(KeepsDeleted.class) > 0);
    }

    @Test
    void aStoreThatLosesTheRoundNumberingFails() {
        assertTrue(failuresOf(RenumbersRanges.class) > 0);
    }

    @Test
    void aStoreWhoseSummaryPagesDropAConversationFails() {
        assertTrue(failuresOf(DropsAtPageEdges.class) > 0);
    }

    /** Hands every call to a working store; the broken stores override one thing. */
    private static class Delegating implements ConversationStore {
        final ConversationStore inner = new InMemoryConversationStore();

        @Override
        public Optional<ConversationState> load(String convId) {
            return inner.load(convId);
        }

        @Override
        public AppendResult append(AppendRequest request) {
            return inner.append(request);
        }

        @Override
        public long commitCompaction(CompactionRequest request) {
            return inner.commitCompaction(request);
        }

        @Override
        public long recordCompactionFailure(String convId, Instant at) {
            return inner.recordCompactionFailure(convId, at);
        }

        @Override
        public List<StoredMessage> messages(String convId, long fromSeq, int limit) {
            return inner.messages(convId, fromSeq, limit);
        }

        @Override
        public List<Round> rounds(String convId, long fromRound, int limit) {
            return inner.rounds(convId, fromRound, limit);
        }

        @Override
        public Optional<StoredMessage> messageById(String convId, String messageId) {
            return inner.messageById(convId, messageId);
        }

        @Override
        public ConversationPage list(Optional<String> after, int limit) {
            return inner.list(after, limit);
        }

        @Override
        public boolean delete(String convId) {
            return inner.delete(convId);
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    abstract static class BrokenSuite extends ConversationStoreContract {
        @Override
        protected ConversationStore reopen(ConversationStore old) {
            return old;
        }
    }

    static class ForgetsIds extends BrokenSuite {
        @Override
        protected ConversationStore newStore() {
            return new Delegating() {
                @Override
                public AppendResult append(AppendRequest r) {
                    // Appends under a fresh random id each time: retries duplicate.
                    return inner.append(new AppendRequest(r.convId(), r.messages().stream()
                            .map(n -> new NewMessage(n.message().id().isPresent()
                                    ? n.message().withId(UUID.randomUUID().toString())
                                    : n.message(), n.tokens()))
                            .toList(), r.expectation(), r.at()));
                }

                @Override
                public Optional<StoredMessage> messageById(String convId, String messageId) {
                    return Optional.empty();
                }
            };
        }
    }

    static class IgnoresExpectations extends BrokenSuite {
        @Override
        protected ConversationStore newStore() {
            return new Delegating() {
                @Override
                public AppendResult append(AppendRequest r) {
                    return inner.append(new AppendRequest(r.convId(), r.messages(),
                            Expectation.none(), r.at()));
                }
            };
        }
    }

    static class KeepsDeleted extends BrokenSuite {
        @Override
        protected ConversationStore newStore() {
            return new Delegating() {
                @Override
                public boolean delete(String convId) {
                    return inner.load(convId).isPresent();
                }
            };
        }
    }

    static class RenumbersRanges extends BrokenSuite {
        @Override
        protected ConversationStore newStore() {
            return new Delegating() {
                @Override
                public List<StoredMessage> messages(String convId, long fromSeq, int limit) {
                    return inner.messages(convId, Math.max(1, fromSeq - 1), limit);
                }
            };
        }
    }

    static class DropsAtPageEdges extends BrokenSuite {
        @Override
        protected ConversationStore newStore() {
            return new Delegating() {
                @Override
                public SummaryPage summaries(Optional<String> after, int limit) {
                    // A cursor one past the page: the first of the next page is never shown.
                    SummaryPage page = super.summaries(after, limit);
                    List<String> ids = inner.list(after, limit + 1).ids();
                    return new SummaryPage(page.summaries(), page.unreadable(), page.next()
                            .map(n -> ids.get(ids.size() - 1)));
                }
            };
        }
    }
}
