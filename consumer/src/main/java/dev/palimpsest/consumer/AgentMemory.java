package dev.palimpsest.consumer;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.AppendResult;
import dev.palimpsest.engine.ChatMessage;
import dev.palimpsest.engine.CompactionListener;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.RoundInput;
import dev.palimpsest.persist.ConversationStore;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The conversation memory of an agent daemon: it records each exchange durably, hands back the
 * prompt for the next model call, and compacts old rounds in the background so that a slow
 * summarizer never delays a reply. Everything it keeps is on disk: a daemon that is killed and
 * restarted opens a new instance on the same root and carries on.
 */
public final class AgentMemory implements AutoCloseable {
    private final ConversationStore store;
    private final ExecutorService compactor;
    private final ConversationEngine engine;

    /**
     * Opens the memory on a data root.
     *
     * @param root     the data root (conversations live under {@code <root>/sm/})
     * @param policy   when to compact and how much
     * @param listener hears the outcome of every background compaction
     */
    public AgentMemory(Path root, CompactionPolicy policy, CompactionListener listener) {
        this.store = ConversationStore.open(root);
        // One background thread is enough: compactions of one conversation never overlap, and
        // appends do not wait for them.
        this.compactor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "palimpsest-compactor");
            thread.setDaemon(true);
            return thread;
        });
        this.engine = ConversationEngine.builder(store).policy(policy).executor(compactor)
                .listener(listener).build();
    }

    /**
     * Records one exchange once the model has answered.
     *
     * @param convId    the conversation
     * @param user      what the user said
     * @param assistant what the model answered
     * @param metadata  what to keep with the round (model name, token usage)
     * @return the round's sequence number, durable when this returns
     */
    public long record(String convId, String user, String assistant,
                       Map<String, String> metadata) {
        AppendResult result = engine.append(convId,
                RoundInput.of(user, assistant).withMetadata(metadata));
        return result.round().seq();
    }

    /**
     * Returns the messages to send before the next user message: the compressed context as a
     * system message, then the recent rounds.
     *
     * @param convId the conversation
     * @return the messages, empty for a new conversation
     */
    public List<ChatMessage> prompt(String convId) {
        return engine.context(convId).messages();
    }

    /**
     * Returns every round ever recorded, compacted ones included.
     *
     * @param convId the conversation
     * @return the rounds, in order
     */
    public List<Round> history(String convId) {
        return engine.transcript(convId);
    }

    /**
     * Waits (up to a minute) for background compactions to finish, then releases the store. A
     * compaction cut short leaves its rounds verbatim; the next append retries it.
     */
    @Override
    public void close() {
        compactor.shutdown();
        try {
            if (!compactor.awaitTermination(1, TimeUnit.MINUTES)) {
                compactor.shutdownNow();
            }
        } catch (InterruptedException e) {
            compactor.shutdownNow();
            Thread.currentThread().interrupt();
        } finally {
            store.close();
        }
    }
}
