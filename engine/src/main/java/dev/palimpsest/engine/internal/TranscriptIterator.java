package dev.palimpsest.engine.internal;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.EngineException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads the archived part of a transcript: rounds 1 to {@code compacted}, each once, from an
 * archive that may hold a round twice (a crash between archiving and saving leaves the rounds in
 * both places, and the next compaction archives them again).
 *
 * <p>The archive is appended in batches, each contiguous and starting right after the rounds
 * already compacted, so skipping every round below the next expected number de-duplicates it;
 * a round above it is a gap, which is reported, never papered over.
 *
 * <p>It reads the archive only up to round {@code compacted} (rounds archived after the state was
 * read are still among that state's recent rounds), so it closes the archive itself once it has
 * read that far, or fails: a transcript read to its end holds no file, closed or not.
 */
public final class TranscriptIterator implements Iterator<Round> {
    private final String convId;
    private final Iterator<Round> archive;
    private final long compacted;
    private final Runnable closeArchive;
    private long next = 1;
    private Round buffered;
    private boolean ended;

    /**
     * Creates the reader.
     *
     * @param convId    the conversation, for errors
     * @param archive   the archived rounds in the order they were appended
     * @param compacted how many rounds the state says were compacted
     * @param closeArchive closes the archive; run once the archived rounds are read or reading
     *                  failed (and may be run again by the stream's own close)
     */
    public TranscriptIterator(String convId, Iterator<Round> archive, long compacted,
                              Runnable closeArchive) {
        this.convId = convId;
        this.archive = archive;
        this.compacted = compacted;
        this.closeArchive = closeArchive;
    }

    /**
     * Returns the rounds as an ordered, lazy stream.
     *
     * @return the stream
     */
    public Stream<Round> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT), false);
    }

    @Override
    public boolean hasNext() {
        if (buffered != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        try {
            if (next > compacted) {
                end();
                return false;
            }
            return readNext();
        } catch (RuntimeException e) {
            end();
            throw e;
        }
    }

    private void end() {
        ended = true;
        closeArchive.run();
    }

    private boolean readNext() {
        while (archive.hasNext()) {
            Round round = archive.next();
            if (round.seq() < next) {
                continue; // archived twice
            }
            if (round.seq() > next) {
                throw new EngineException(convId, "archive of '" + convId + "' lacks rounds "
                        + next + " to " + (round.seq() - 1), null);
            }
            buffered = round;
            next++;
            return true;
        }
        throw new EngineException(convId, "archive of '" + convId + "' ends before round "
                + next + ", but " + compacted + " rounds were compacted", null);
    }

    @Override
    public Round next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more archived rounds of '" + convId + "'");
        }
        Round round = buffered;
        buffered = null;
        return round;
    }
}
