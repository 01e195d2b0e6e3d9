package dev.palimpsest.cli;

import dev.palimpsest.format.FormatCodec;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Prints stored messages, rounds and states in the stored format v2 ({@code docs/format.md}),
 * encoded by the format's own codec so that what the launcher prints and what the files hold
 * can never drift apart. A JSON array is streamed element by element: a transcript of any
 * length is printed in bounded memory.
 */
final class StoredJson {
    private final PrintStream out;
    private boolean first = true;

    private StoredJson(PrintStream out) {
        this.out = out;
    }

    /** Prints a state, pretty-printed, and a newline. */
    static void state(PrintStream out, ConversationState state) {
        try {
            // Streamed: a 4 MB window is not held a second time as its JSON.
            FormatCodec.writeState(state, out);
        } catch (java.io.IOException e) {
            // A PrintStream records its failures instead of throwing them.
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Starts a pretty-printed JSON array; {@link #end()} closes it. */
    static StoredJson array(PrintStream out) {
        out.print('[');
        return new StoredJson(out);
    }

    /** Adds a round ({@code {"seq", "messages"}}) to the array. */
    void round(Round round) {
        element(FormatCodec.encodeRound(round, true));
    }

    /** Prints one message as one line of JSON Lines. */
    static void line(PrintStream out, StoredMessage message) {
        byte[] bytes = FormatCodec.encodeMessage(message, false);
        out.write(bytes, 0, bytes.length);
        out.print('\n');
    }

    private void element(byte[] pretty) {
        out.print(first ? "\n  " : ",\n  ");
        first = false;
        // Pretty JSON breaks lines only between tokens (a newline inside a string is escaped),
        // so indenting every line by two spaces nests the element in the array.
        out.print(new String(pretty, StandardCharsets.UTF_8).replace("\n", "\n  "));
    }

    /** Closes the array with a newline. */
    void end() {
        out.print(first ? "]\n" : "\n]\n");
    }
}
