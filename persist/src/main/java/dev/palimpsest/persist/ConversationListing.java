package dev.palimpsest.persist;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ConversationStore#listing()} found: the conversations it could summarize, and the
 * files it skipped because it could not, each with the reason. A skipped file is left as it is;
 * {@link ConversationStore#check(boolean)} reports it in full and can move it aside.
 *
 * @param conversations one summary per readable conversation, ordered by conversation id
 * @param skipped       the files that look like state files but could not be summarized, in
 *                      file-name order
 */
public record ConversationListing(List<ConversationSummary> conversations,
                                  List<Skipped> skipped) {
    /**
     * Copies the lists.
     *
     * @param conversations one summary per readable conversation
     * @param skipped       the files that could not be summarized
     */
    public ConversationListing {
        conversations = List.copyOf(conversations);
        skipped = List.copyOf(skipped);
    }

    /**
     * One file the listing skipped.
     *
     * @param file   the file
     * @param reason why it could not be summarized, one line
     */
    public record Skipped(Path file, String reason) {
        /**
         * Rejects null parts.
         *
         * @param file   the file
         * @param reason why it could not be summarized
         */
        public Skipped {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
