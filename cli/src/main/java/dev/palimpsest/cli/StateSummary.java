package dev.palimpsest.cli;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The readable summary of a stored conversation that {@code show} and {@code demo} print. */
final class StateSummary {
    private static final int PREVIEW_CHARS = 200;

    private StateSummary() {
    }

    static void print(PrintStream out, Conversation state, Path stateFile, Path archiveFile) {
        Counters c = state.counters();
        out.println("conversation     " + Text.quote(state.convId()));
        out.println("revision         " + state.revision());
        out.println("updated at       " + state.updatedAt());
        String recent = state.recentRounds().isEmpty() ? "none"
                : state.recentRounds().size() + " (seq " + state.recentRounds().get(0).seq()
                        + "-" + c.roundsTotal() + ")";
        out.println("rounds           " + c.roundsTotal() + " appended, " + recent
                + " verbatim, " + c.compactedRounds() + " compacted");
        out.println("compactions      " + c.compactions() + " committed, "
                + c.compactionFailures() + " failed"
                + c.lastCompactedAt().map(at -> ", last at " + at).orElse(""));
        out.println("tokens (est.)    " + c.contextTokens() + " context + " + c.recentTokens()
                + " recent = " + (c.contextTokens() + c.recentTokens()));
        out.println("state file       " + stateFile);
        out.println("archive          " + archiveFile
                + (Files.exists(archiveFile) ? "" : " (none yet)"));
        if (state.compressedContext().isEmpty()) {
            out.println("compressed context: (none yet)");
        } else {
            out.println("compressed context: " + Text.preview(state.compressedContext(),
                    PREVIEW_CHARS));
        }
        if (!state.recentRounds().isEmpty()) {
            var last = state.recentRounds().get(state.recentRounds().size() - 1);
            out.println("last round       [" + last.seq() + "] user: "
                    + Text.preview(last.user(), 80));
            out.println("                 assistant: " + Text.preview(last.assistant(), 80));
        }
    }
}
