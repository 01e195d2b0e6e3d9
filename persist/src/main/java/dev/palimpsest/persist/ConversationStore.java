package dev.palimpsest.persist;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The durable store of conversations: one JSON state file per conversation under
 * {@code <root>/sm/}, replaced atomically and durably on every change, plus an append-only
 * archive (JSON Lines) of the rounds that compaction removed from the state.
 *
 * <p>When a write method returns, the change is on stable storage (given a local file system on
 * a device that honours flushes); a process killed at any instant, or a machine that loses
 * power, comes back with every file readable and every acknowledged change present. See
 * {@code docs/durability.md}.
 *
 * <p><b>Thread safety.</b> A store is safe to share between threads. Every write (save, update,
 * archive append, delete) of a conversation holds that conversation's exclusive lock, which
 * excludes other threads of this JVM and other processes that use the same root.
 *
 * <p><b>Reads change nothing.</b> {@link #load}, {@link #isStored}, {@link #archive},
 * {@link #list}, {@link #listing} and {@code check(false)} never create, change or remove a file:
 * what they find amiss (a stale temp file, a torn archive line) they work around in memory. Only
 * the writes, under the conversation's lock, and {@code check(true)} change files.
 *
 * <p><b>Not found means nothing is there.</b> A conversation reads as never stored only when
 * the file system says nothing is at its name (no data root, no {@code sm/}, no state file).
 * Anything else that stops a read (a directory that cannot be read, a symbolic link or a file
 * at {@code sm}, a symbolic link or a FIFO at the state file's name) is an error, the same for
 * every method.
 *
 * <p><b>Errors.</b> Every method throws only subtypes of {@link StoreException} (besides
 * {@link NullPointerException} for null arguments and {@link IllegalStateException} after
 * {@link #close()}); none of them loses or corrupts data that was already stored. Every file
 * the store opens must be a regular file: anything else at one of its names is refused before it
 * is opened ({@link CorruptStateException}, reason
 * {@link CorruptStateException.Reason#NOT_A_REGULAR_FILE}), never followed or waited on.
 */
public interface ConversationStore extends AutoCloseable {

    /**
     * Opens the store under {@code dataRoot} with default options.
     *
     * @param dataRoot the data root; {@code sm/} is created below it on the first write
     * @return the store
     */
    static ConversationStore open(Path dataRoot) {
        return open(StoreOptions.builder(dataRoot).build());
    }

    /**
     * Opens the store described by {@code options}. Opening reads and writes nothing; the first
     * write creates {@code sm/} if needed. Temp files left by writers that crashed are removed by
     * the next write of their own conversation through this store (under its lock), or by
     * {@link #check(boolean) check(true)}.
     *
     * @param options the root and limits
     * @return the store
     */
    static ConversationStore open(StoreOptions options) {
        return dev.palimpsest.persist.internal.FileConversationStore.open(options);
    }

    /**
     * Loads a conversation.
     *
     * @param convId the conversation id
     * @return the stored state, or {@link Conversation#empty(String)} if none is stored
     * @throws InvalidIdException     if the id can never be stored
     * @throws CorruptStateException  if the file is unreadable, too large, of a newer schema, or
     *                                not a regular file; the file is left untouched
     * @throws IdCollisionException   if the file holds another conversation's id
     * @throws StoreIOException       if reading failed, or {@code sm} is not a directory
     */
    Conversation load(String convId);

    /**
     * Tells whether a conversation is stored, without reading its state: whether a file is at
     * its state file's name. A file that is there but unreadable counts as stored ({@link #load}
     * then says why it cannot be read); anything but a regular file at the name is refused
     * already here.
     *
     * <p>The default loads the state; the file store looks at the file only.
     *
     * @param convId the conversation id
     * @return {@code false} only if nothing is stored under the id
     * @throws InvalidIdException    if the id can never be stored
     * @throws CorruptStateException if something other than a regular file is at the name
     * @throws StoreIOException      if the store cannot tell (a directory that cannot be read,
     *                               {@code sm} not a directory)
     */
    default boolean isStored(String convId) {
        return load(convId).isStored();
    }

    /**
     * Saves a conversation optimistically: it succeeds only if the stored revision still equals
     * {@code conversation.revision()} (0 for a conversation never stored), and stores the state
     * with the revision incremented.
     *
     * <p>The stored file is read and decoded whole before it is replaced, so a file that
     * {@link #load} would refuse (even one whose header is intact and whose body is damaged) is
     * never overwritten: it stays for {@link #check} to quarantine.
     *
     * @param conversation the new state, carrying the revision it was derived from
     * @return the state as stored, with revision {@code conversation.revision() + 1}
     * @throws InvalidIdException          if the id can never be stored
     * @throws ConflictException           if the stored revision differs
     * @throws IdCollisionException        if the file holds another conversation's id
     * @throws CorruptStateException       if the stored file is unreadable, too large or of a
     *                                     newer schema; it is left untouched
     * @throws StateTooLargeException      if the encoded state exceeds the size limit; nothing is
     *                                     written
     * @throws DurabilityUnknownException  if the rename succeeded but a later step failed
     * @throws StoreIOException            if a step of the write protocol failed; the previous
     *                                     file is then unchanged
     */
    Conversation save(Conversation conversation);

    /**
     * Reads, changes and writes a conversation under its exclusive lock, so concurrent updaters
     * (threads or processes) never lose an update.
     *
     * <p>{@code change} receives the current state ({@link Conversation#empty(String)} if none is
     * stored) and returns the new state. If it returns the very instance it received, nothing is
     * written. Otherwise the result must keep the conversation id; its revision is ignored and
     * the stored revision becomes the current one plus 1. {@code change} runs with the lock held
     * and may call {@link #appendArchive} for the same conversation (the lock is reentrant); it
     * must not {@code save} or {@code update} the same conversation itself, and should not block
     * for long. An exception thrown by {@code change} propagates and nothing is written.
     *
     * @param convId the conversation id
     * @param change computes the new state from the current one
     * @return the stored state after the update (the current state if nothing was written)
     * @throws InvalidIdException         if the id can never be stored
     * @throws CorruptStateException      if the stored file is unreadable; it is left untouched
     * @throws IdCollisionException       if the file holds another conversation's id
     * @throws StateTooLargeException     if the new state exceeds the size limit
     * @throws StoreException             if the change returned another conversation's state
     * @throws StoreIOException           if a step of the write protocol failed (see
     *                                    {@link #save})
     */
    Conversation update(String convId, UnaryOperator<Conversation> change);

    /**
     * Appends rounds to the conversation's archive and forces them to stable storage before
     * returning, then fsyncs the directory, so the archive's entry is durable even if the
     * process that created the file died before doing so. A torn last line left by a crash is
     * repaired first.
     *
     * <p>If the append fails, the lines it wrote are cut off again (best effort), so that an
     * unacknowledged round is not read as archived.
     *
     * @param convId the conversation id
     * @param rounds the rounds, in order; an empty list writes nothing
     * @throws IdCollisionException   if the state file beside the archive holds another id
     * @throws StateTooLargeException if one round's line exceeds the size limit
     * @throws DurabilityUnknownException if the lines were written and forced but the directory
     *                                fsync after them failed
     * @throws StoreIOException       if a step failed
     */
    void appendArchive(String convId, List<Round> rounds);

    /**
     * Streams the archived rounds of a conversation in the order they were appended (which may
     * hold a round twice after a crash between archiving and saving). A torn last line is
     * skipped (it stays in the file until the next append cuts it). The stream holds an open
     * file: close it. The file store also closes it when the stream reaches its end or fails,
     * and closes the file of a stream that is garbage-collected while still open, logging a
     * warning ({@code System.Logger} {@code dev.palimpsest.persist}). A malformed complete line
     * raises {@link CorruptStateException} from the stream when it is reached.
     *
     * @param convId the conversation id
     * @return the archived rounds; empty if there is no archive
     * @throws CorruptStateException if the archive is not a regular file
     * @throws StoreIOException      if it cannot be opened
     */
    Stream<Round> archive(String convId);

    /**
     * Lists every stored conversation without parsing whole state files: each file is read only
     * up to its counters (writers put that header first). A file whose header cannot be read, or
     * that holds an id whose file is another, is skipped rather than failing the whole listing;
     * {@link #check(boolean)} reports it, and {@link #listing()} says which files it skipped.
     *
     * @return one summary per stored conversation, ordered by conversation id
     * @throws StoreIOException if {@code sm/} cannot be listed, or {@code sm} is not a directory
     */
    List<ConversationSummary> list();

    /**
     * Lists like {@link #list()}, and also returns the files it skipped and why, so a caller can
     * say that the listing is not the whole story.
     *
     * <p>The default returns {@link #list()} and no skipped file.
     *
     * @return the summaries and the skipped files
     * @throws StoreIOException if {@code sm/} cannot be listed, or {@code sm} is not a directory
     */
    default ConversationListing listing() {
        return new ConversationListing(list(), List.of());
    }

    /**
     * Deletes a conversation's state file and archive, so that the id starts empty again.
     *
     * <p>The archive is deleted first, then the state file, then the directory is fsynced.
     * Lock files stay. A state file that is unreadable or holds another id is not deleted, nor
     * is anything but a regular file at the archive's name (quarantine them with
     * {@link #check(boolean)}).
     *
     * @param convId the conversation id
     * @return {@code true} if something was deleted, {@code false} if nothing was stored
     * @throws CorruptStateException if the state file is unreadable (anywhere, not only in its
     *                               header), or the archive or lock file is not a regular file;
     *                               it is left untouched
     * @throws IdCollisionException  if the state file holds another conversation's id
     */
    boolean delete(String convId);

    /**
     * Checks every file under {@code sm/}: unreadable state files, stale temp files of crashed
     * writers, and anything but a regular file at an archive's or lock file's name. With
     * {@code repair}, stale temp files are removed and unreadable files (and what is not a
     * regular file) are renamed aside (quarantined), never deleted; without it, nothing is
     * changed, not even a lock file created. A temp file counts as stale only if it still exists
     * while its conversation's lock is held (or if there is no lock file: every writer creates
     * it before its temp file), so a write in progress is never reported. The content of
     * archives is not checked: a torn last line is not corruption.
     *
     * @param repair whether to repair what was found
     * @return what was found and done; {@link CheckReport#rootExists()} is false, and nothing
     *         was checked, if the data root does not exist
     * @throws StoreIOException if {@code sm/} cannot be listed, or {@code sm} is not a directory
     */
    CheckReport check(boolean repair);

    /**
     * Checks every file under {@code sm/}, as {@link #check(boolean)} does, reporting its
     * progress as it goes (a launcher shows it on a terminal).
     *
     * @param repair   whether to repair what was found
     * @param progress told after each file examined
     * @return what was found and done
     * @throws StoreIOException if {@code sm/} cannot be listed, or {@code sm} is not a directory
     */
    default CheckReport check(boolean repair, CheckProgress progress) {
        return check(repair);
    }

    /** Hears how far a {@link #check(boolean, CheckProgress)} has come. */
    @FunctionalInterface
    interface CheckProgress {
        /**
         * Called after each file examined, from the checking thread.
         *
         * @param examined how many files have been examined so far
         * @param entries  how many directory entries there are to look at (some are not
         *                 examined: they belong to no conversation)
         */
        void examined(int examined, int entries);
    }

    /**
     * Returns the data root this store was opened on.
     *
     * @return the data root
     */
    Path root();

    /**
     * Returns the path of a conversation's state file (which may not exist).
     *
     * @param convId the conversation id
     * @return {@code <root>/sm/conversation-<stem>.json}
     * @throws InvalidIdException if the id can never be stored
     */
    Path stateFile(String convId);

    /**
     * Returns the path of a conversation's archive (which may not exist).
     *
     * @param convId the conversation id
     * @return the archive's path, beside the state file
     * @throws InvalidIdException if the id can never be stored
     */
    Path archiveFile(String convId);

    /** Releases the store's file channels and locks; the store is unusable afterwards. */
    @Override
    void close();
}
