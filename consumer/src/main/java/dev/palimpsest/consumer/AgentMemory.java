package dev.palimpsest.consumer;

import dev.palimpsest.engine.CompactionListener;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.engine.prompt.PromptFormat;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.file.FileConversationStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The conversation memory of an agent daemon: it records every message of a turn durably (the
 * user's, the assistant's tool calls, the tool results, the final answer), hands back the prompt
 * for the next model call, and compacts old rounds in the background so that a slow summarizer
 * never delays a reply. Everything it keeps is in a file store on disk: a daemon that is killed
 * and restarted opens a new instance on the same root and carries on, even in the middle of a
 * tool call.
 *
 * <p>Rounds are the engine's: a user message opens one, and the assistant messages and tool
 * results that follow join it, so a tool call and its result are always compacted together. A
 * message appended out of place (a tool result that answers no call of its round, say) is refused
 * with a {@link PalimpsestException} of kind {@code INVALID_INPUT}, and nothing of that append is
 * stored.
 *
 * <p>An instance is thread-safe. Several processes may share one root: the file store locks each
 * conversation across processes.
 */
public final class AgentMemory implements AutoCloseable {
    /** Rounds read per store call by {@link #history}, so a long history is never one big read. */
    private static final int HISTORY_PAGE = 256;

    /**
     * How long {@link #close()} waits for the compaction thread once the engine has closed. The
     * engine waits for its compactions itself; by then the thread has at most the end of a
     * cancelled one to run, which writes nothing.
     */
    private static final long COMPACTOR_GRACE_SECONDS = 5;

    private final FileConversationStore store;
    private final ExecutorService compactor;
    private final ConversationEngine engine;

    /**
     * Opens the memory on a data root, compacting with the offline extractive summarizer.
     *
     * @param root     an existing directory; conversations live under {@code <root>/sm/}. It is
     *                 not created: a daemon pointed at a mistyped path or an unmounted volume
     *                 fails at start instead of writing its memory where nobody will look for it
     * @param policy   when to compact and how much
     * @param listener hears the outcome of every background compaction, in the compaction thread
     * @throws PalimpsestException of kind {@code NOT_FOUND} if {@code root} is not a directory
     */
    public AgentMemory(Path root, CompactionPolicy policy, CompactionListener listener) {
        // Checked before the store opens, so that a bad argument leaves nothing to release.
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(listener, "listener");
        this.store = FileConversationStore.open(root);
        // One background thread is enough: the engine never runs two compactions of one
        // conversation at once, and appends do not wait for any. A daemon thread, so that a
        // memory that was never closed does not keep the JVM alive.
        this.compactor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "palimpsest-compactor");
            thread.setDaemon(true);
            return thread;
        });
        this.engine = ConversationEngine.builder(store).policy(policy).executor(compactor)
                .listener(listener).build();
    }

    /**
     * Records messages of a conversation, in order: a user turn, an assistant answer with or
     * without tool calls, tool results, or several of them at once. They are durable when this
     * returns, and a compaction, if the policy asks for one, starts in the background.
     *
     * <p>Give the messages ids ({@link Message#withId}) when the append may be retried: a
     * daemon that crashed before it learned whether its append went through appends them again,
     * and the messages stored under those ids come back instead of being stored twice.
     *
     * @param convId   the conversation; created by its first append
     * @param messages the messages, at least one; the first message of a new conversation is a
     *                 user or system message
     * @return the stored messages, in the order given, with their sequence numbers and rounds
     * @throws PalimpsestException of kind {@code INVALID_INPUT} for messages that break the
     *         round rules, {@code CONFLICT} for an id stored with other content, or the store's
     *         kind if it failed
     * @throws IllegalStateException if this memory is closed
     */
    public List<StoredMessage> append(String convId, Message... messages) {
        return engine.append(convId, messages).appended().messages();
    }

    /**
     * Returns the messages for the next chat completions call, in the OpenAI chat format: the
     * pinned system prompt and the compressed context as system messages, then the recent rounds
     * with their tool calls and tool results. A tool call abandoned in an earlier round gets a
     * placeholder result, since chat APIs refuse a call without one; the calls that end the
     * newest round are left waiting for their results.
     *
     * @param convId the conversation
     * @return the messages, empty for a conversation never recorded
     */
    public List<OpenAiMessage> prompt(String convId) {
        return engine.context(convId).messages();
    }

    /**
     * Returns the prompt for the next model call in another API's shape, such as
     * {@link PromptFormat#anthropic()}.
     *
     * @param convId the conversation
     * @param format the rendering
     * @param <T>    what the rendering produces
     * @return the rendered prompt material; empty material for a conversation never recorded
     */
    public <T> T prompt(String convId, PromptFormat<T> format) {
        Objects.requireNonNull(format, "format");
        return engine.context(convId).render(format);
    }

    /**
     * Returns every round ever recorded, compacted ones included, with every message as it was
     * appended: what a transcript or an audit needs, which the prompt no longer holds once
     * rounds are compacted.
     *
     * @param convId the conversation
     * @return the rounds recorded when this was called, oldest first; empty for a conversation
     *         never recorded
     * @throws PalimpsestException of kind {@code NOT_FOUND} if another process deletes the
     *         conversation while it is read
     */
    public List<Round> history(String convId) {
        Optional<ConversationState> state = engine.state(convId);
        if (state.isEmpty()) {
            return List.of();
        }
        // Bounded by the rounds there were at the start, so that a conversation that keeps
        // growing meanwhile cannot keep this loop reading.
        long total = state.get().counters().roundsTotal();
        List<Round> rounds = new ArrayList<>();
        long next = 1;
        while (next <= total) {
            List<Round> page = engine.rounds(convId, next,
                    (int) Math.min(HISTORY_PAGE, total - next + 1));
            if (page.isEmpty()) {
                break;
            }
            rounds.addAll(page);
            next = page.get(page.size() - 1).seq() + 1;
        }
        return List.copyOf(rounds);
    }

    /**
     * Closes the memory: new appends are refused, background compactions get the engine's close
     * timeout ({@link ConversationEngine#DEFAULT_CLOSE_TIMEOUT}) to finish, and the store is
     * released. A compaction cut short writes nothing and leaves its rounds verbatim; the next
     * append after a restart tries again.
     */
    @Override
    public void close() {
        try {
            engine.close();
        } finally {
            compactor.shutdown();
            try {
                if (!compactor.awaitTermination(COMPACTOR_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    compactor.shutdownNow();
                }
            } catch (InterruptedException e) {
                compactor.shutdownNow();
                Thread.currentThread().interrupt();
            } finally {
                // The engine never closes the store it was given: this memory opened it.
                store.close();
            }
        }
    }
}
