package dev.palimpsest.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The sample dialogue bundled for {@code palimpsest demo} ({@code demo-dialogue.txt}): rounds
 * written as a {@code user:} line followed by an {@code assistant:} line.
 */
final class DemoDialogue {
    static final String RESOURCE = "demo-dialogue.txt";

    /**
     * One round of the dialogue.
     *
     * @param user      the user's text
     * @param assistant the assistant's answer
     */
    record Turn(String user, String assistant) {
    }

    private DemoDialogue() {
    }

    /** Loads the bundled dialogue. */
    static List<Turn> load() {
        try (InputStream in = DemoDialogue.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the launcher lacks its resource " + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    static List<Turn> parse(BufferedReader reader) throws IOException {
        List<Turn> rounds = new ArrayList<>();
        String pendingUser = null;
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("user: ") && pendingUser == null) {
                pendingUser = line.substring("user: ".length());
            } else if (line.startsWith("assistant: ") && pendingUser != null) {
                rounds.add(new Turn(pendingUser, line.substring("assistant: ".length())));
                pendingUser = null;
            } else {
                throw new IllegalStateException(RESOURCE + " line " + number
                        + ": expected alternating 'user: ' and 'assistant: ' lines");
            }
        }
        if (pendingUser != null) {
            throw new IllegalStateException(RESOURCE + ": the last user line has no answer");
        }
        return List.copyOf(rounds);
    }
}
