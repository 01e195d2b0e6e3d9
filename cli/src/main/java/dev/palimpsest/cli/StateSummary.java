package dev.palimpsest.cli;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The readable summary of a stored conversation that {@code show} and {@code demo} print. */
final class StateSummary {
    private static final int PREVIEW_CHARS = 200;

    private StateSummary() {
    }

    /**
     * Prints the summary of a state.
     *
     * @param out            where to
     * @param state          the state
     * @param checkpointFile its checkpoint, on the file store; empty on a store without files
     * @param where          where the store is, printed when there is no checkpoint file
     */
    static void print(PrintStream out, ConversationState state,
                      java.util.Optional<Path> checkpointFile, String where) {
        Counters c = state.counters();
        out.println("conversation     " + Text.quote(state.convId()));
        out.println("revision         " + state.revision());
        out.println("updated at       " + state.updatedAt());
        String recent = state.recentRounds().isEmpty() ? "none"
                : state.recentRounds().size() + " (seq " + state.recentRounds().get(0).seq()
                        + "-" + c.roundsTotal() + ")";
        out.println("rounds           " + c.roundsTotal() + " appended, " + recent
                + " verbatim, " + c.compactedRounds() + " compacted");
        out.println("messages         " + c.messagesTotal() + " appended, "
                + c.compactedMessages() + " compacted");
        out.println("compactions      " + c.compactions() + " committed, "
                + c.compactionFailures() + " failed"
                + c.lastCompactedAt().map(at -> ", last at " + at).orElse(""));
        out.println("tokens (est.)    " + c.contextTokens() + " context + " + c.recentTokens()
                + " recent = " + (c.contextTokens() + c.recentTokens()));
        if (checkpointFile.isPresent()) {
            Path file = checkpointFile.get();
            out.println("checkpoint       " + file
                    + (Files.exists(file) ? "" : " (none yet: the state is in the log)"));
        } else {
            out.println("stored in        " + where);
        }
        state.pinnedSystem().ifPresent(system -> out.println("system prompt    "
                + Text.preview(system.message().content(), 80)));
        if (state.compressedContext().isEmpty()) {
            out.println("compressed context: (none yet)");
        } else {
            out.println("compressed context: " + Text.preview(state.compressedContext(),
                    PREVIEW_CHARS));
        }
        if (!state.recentRounds().isEmpty()) {
            Round last = state.recentRounds().get(state.recentRounds().size() - 1);
            String label = "last round       [" + last.seq() + "] ";
            for (StoredMessage m : last.messages()) {
                out.println(label + m.role().wireName() + ": "
                        + Text.preview(TranscriptCommand.describe(m), 80));
                label = "                 ";
            }
        }
    }
}
