package dev.palimpsest.store;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The durable memory of many conversations. Every backend implements this one interface and
 * passes one contract suite ({@code store-contract}); what only one backend has (a root
 * directory, a check of its files, a connection pool) lives on that backend's own type.
 *
 * <p>Changes are values committed atomically: when a change method returns, the change is
 * durable as the backend's documentation promises; when it throws, nothing of it is visible.
 * Every failure is a {@link dev.palimpsest.model.PalimpsestException} whose kind says what went
 * wrong. A store is safe for use by many threads; whether several processes or hosts may share
 * one is the backend's to say.
 */
public interface ConversationStore extends AutoCloseable {

    /**
     * {@return the current state of a conversation, or empty if it was never stored}
     *
     * @param convId the conversation
     */
    Optional<ConversationState> load(String convId);

    /**
     * {@return what a listing shows of a conversation (revision, time, counters), or empty if it
     * was never stored}: the same as {@code load(convId).map(ConversationSummary::of)}, which is
     * what this default does; a backend that can answer it without reading the window does
     *
     * @param convId the conversation
     */
    default Optional<ConversationSummary> summary(String convId) {
        return load(convId).map(ConversationSummary::of);
    }

    /**
     * Appends messages to a conversation, creating it if needed. Messages whose id is stored
     * already with equal content are not appended again (the result says so); an id stored with
     * other content fails with {@code CONFLICT}, and an expectation that does not hold with
     * {@code REVISION_MISMATCH}. Nothing is appended unless everything is.
     *
     * @param request the messages and what the caller expects
     * @return what was committed
     */
    AppendResult append(AppendRequest request);

    /**
     * Commits a compaction: the rounds up to {@code throughRound} leave the recent rounds and the
     * new compressed context replaces the old one. It fails with {@code CONFLICT} if another
     * compaction committed since its snapshot, and with {@code NOT_FOUND} if the conversation
     * does not exist. The folded messages stay readable through {@link #messages} and
     * {@link #rounds}.
     *
     * @param request the compaction
     * @return the conversation's revision after it
     */
    long commitCompaction(CompactionRequest request);

    /**
     * Claims the compaction of a conversation for a while, so that of the hosts sharing a store
     * only one pays its summarizer for it. A claim is an economy, not a lock: the commit is
     * checked against the rounds it folded whoever holds the claim, so a holder that outlives
     * its lease can never commit over another host's compaction. A holder that asks again
     * renews its lease; a lease that runs out (a crashed host's) can be claimed by anyone.
     *
     * <p>This default grants every claim: a store that only one process uses needs none (the
     * engine of that process compacts a conversation once at a time already).
     *
     * @param convId the conversation
     * @param holder who claims it, the same name for every claim of one engine
     * @param lease  how long the claim holds unless renewed or released
     * @return whether {@code holder} holds the claim now
     */
    default boolean claimCompaction(String convId, String holder, Duration lease) {
        ConversationIds.check(convId);
        return true;
    }

    /**
     * Gives up a claim of {@link #claimCompaction}; does nothing unless {@code holder} holds it.
     *
     * @param convId the conversation
     * @param holder who claimed it
     */
    default void releaseCompaction(String convId, String holder) {
        ConversationIds.check(convId);
    }

    /**
     * Counts a failed compaction, so operators see that the rounds stayed verbatim.
     *
     * @param convId the conversation
     * @param at     when it failed
     * @return the conversation's revision after the change
     */
    long recordCompactionFailure(String convId, Instant at);

    /**
     * {@return up to {@code limit} messages from message {@code fromSeq} on, compacted or not}
     *
     * @param convId  the conversation
     * @param fromSeq the first message's seq, at least 1
     * @param limit   the most messages returned, at least 0
     * @throws dev.palimpsest.model.PalimpsestException of kind {@code NOT_FOUND} if the
     *         conversation does not exist
     */
    List<StoredMessage> messages(String convId, long fromSeq, int limit);

    /**
     * {@return up to {@code limit} whole rounds from round {@code fromRound} on, compacted or not}
     *
     * @param convId    the conversation
     * @param fromRound the first round's seq, at least 1
     * @param limit     the most rounds returned, at least 0
     * @throws dev.palimpsest.model.PalimpsestException of kind {@code NOT_FOUND} if the
     *         conversation does not exist
     */
    List<Round> rounds(String convId, long fromRound, int limit);

    /**
     * {@return the message stored under a caller's message id, or empty if there is none}
     *
     * @param convId    the conversation
     * @param messageId the caller's id of the message
     */
    Optional<StoredMessage> messageById(String convId, String messageId);

    /**
     * {@return one page of the ids of the stored conversations, in {@link ConversationIds#ORDER}}
     *
     * <p>A conversation whose stored data cannot be read is listed all the same: its
     * {@link #load} names what is wrong ({@link dev.palimpsest.model.FailureKind#CORRUPT}, or
     * {@link dev.palimpsest.model.FailureKind#IO} when its data is there but refused), and
     * one damaged conversation neither hides from nor stops the listing of the others.
     *
     * @param after the last id of the previous page, or empty for the first page
     * @param limit the most ids on the page, at least 1
     */
    ConversationPage list(Optional<String> after, int limit);

    /**
     * {@return one page of a listing with each conversation's summary}: the conversations of
     * {@link #list} and their {@link #summary}, one call for what a listing shows. This default
     * does exactly that; a backend that can read both at once (one pass over its files, one
     * query) does.
     *
     * <p>A conversation deleted between the two is left out. One whose stored data cannot be
     * read is on the page as {@link SummaryPage#unreadable()}; any other failure is thrown.
     *
     * @param after the last id of the previous page, or empty for the first page
     * @param limit the most conversations on the page, at least 1
     */
    default SummaryPage summaries(Optional<String> after, int limit) {
        ConversationPage page = list(after, limit);
        List<ConversationSummary> summaries = new ArrayList<>();
        List<PalimpsestException> unreadable = new ArrayList<>();
        for (String id : page.ids()) {
            try {
                summary(id).ifPresent(summaries::add);
            } catch (PalimpsestException e) {
                if (e.kind() != FailureKind.CORRUPT && e.kind() != FailureKind.IO) {
                    throw e;
                }
                unreadable.add(e);
            }
        }
        return new SummaryPage(summaries, unreadable, page.next());
    }

    /**
     * Erases a conversation: before this returns, nothing the store keeps holds its text.
     *
     * @param convId the conversation
     * @return whether there was anything to erase
     */
    boolean delete(String convId);

    /** Releases what the store holds open; the store must not be used afterwards. */
    @Override
    void close();
}
