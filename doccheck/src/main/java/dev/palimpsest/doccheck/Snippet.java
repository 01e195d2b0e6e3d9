package dev.palimpsest.doccheck;

import java.util.Objects;
import java.util.Optional;

/**
 * One fenced code block of a Markdown file.
 *
 * @param file     the file, as the check's report names it (for example {@code docs/cli.md})
 * @param line     the line of the opening fence, from 1
 * @param language the first word of the fence's info string, lower case; empty if none
 * @param body     the lines between the fences, each ending with a line feed, with the fence's
 *                 indentation removed
 * @param marker   the marker on the line right before the fence, if any
 */
public record Snippet(String file, int line, String language, String body,
                      Optional<Marker> marker) {

    /**
     * Rejects null parts and lines below 1.
     *
     * @param file     the file, as the check's report names it
     * @param line     the line of the opening fence, from 1
     * @param language the first word of the fence's info string, lower case; empty if none
     * @param body     the lines between the fences
     * @param marker   the marker on the line right before the fence, if any
     */
    public Snippet {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(language, "language");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(marker, "marker");
        if (line < 1) {
            throw new IllegalArgumentException("line must be at least 1, not " + line);
        }
    }

    /**
     * Where the block is, as {@code file:line} for a report.
     *
     * @return the location
     */
    public String location() {
        return file + ":" + line;
    }
}
