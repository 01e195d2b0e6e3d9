package dev.palimpsest.store;

import dev.palimpsest.model.StoredMessage;
import java.util.List;

/**
 * Full-text search over every message a {@link ConversationStore} keeps, compacted or not: the
 * way back to what a conversation said long ago, beyond its compressed context.
 *
 * <p>What a recall keeps is derived from its store and never the source of truth. Whatever it
 * has indexed, an answer covers every message the store had acknowledged when the search began:
 * an implementation that indexes behind the store searches the part it has not indexed yet as
 * well. A deleted conversation is never in an answer. Every backend passes one contract suite
 * ({@code RecallContract} in {@code store-contract}).
 */
public interface Recall extends AutoCloseable {

    /**
     * {@return the best-matching messages, best first, at most {@code query.limit()}}: empty if
     * nothing matches, or if the conversation searched does not exist
     *
     * @param query what to look for, and where
     */
    List<RecallHit> search(RecallQuery query);

    /**
     * Tells the recall that messages were appended, so that one that indexes may do it now
     * rather than at the next search. Calling it is never needed for correctness; this default
     * does nothing.
     *
     * @param convId   the conversation
     * @param appended the messages that were appended, in seq order
     */
    default void appended(String convId, List<StoredMessage> appended) {
    }

    /**
     * Erases what the recall keeps of a conversation, after its store deleted it: before this
     * returns, nothing the recall keeps holds its text.
     *
     * @param convId the conversation
     */
    void erase(String convId);

    /** Releases what the recall holds (and writes out what it indexed); do not use it after. */
    @Override
    void close();
}
