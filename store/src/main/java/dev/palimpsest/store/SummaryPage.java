package dev.palimpsest.store;

import dev.palimpsest.model.PalimpsestException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a listing with what it shows of each conversation, in {@link ConversationIds#ORDER}.
 *
 * @param summaries  the summaries of the conversations of this page that could be read
 * @param unreadable the conversations of this page whose stored data cannot be read, one failure
 *                   each (kind {@code CORRUPT}, or {@code IO} when the data is there but
 *                   refused), naming its conversation: listed, so that a damaged conversation
 *                   neither hides from nor stops the listing of the others
 * @param next       the cursor of the next page (pass it as {@code after}); empty on the last page
 */
public record SummaryPage(List<ConversationSummary> summaries, List<PalimpsestException> unreadable,
                          Optional<String> next) {
    /**
     * Copies the lists.
     *
     * @param summaries  the summaries that could be read
     * @param unreadable the failures of the conversations that could not
     * @param next       the cursor of the next page; empty on the last page
     */
    public SummaryPage {
        summaries = List.copyOf(summaries);
        unreadable = List.copyOf(unreadable);
        Objects.requireNonNull(next, "next");
    }
}
