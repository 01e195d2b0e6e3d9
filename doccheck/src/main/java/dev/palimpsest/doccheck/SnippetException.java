package dev.palimpsest.doccheck;

import java.io.Serial;

/**
 * A Markdown file whose blocks cannot even be told apart: a fence left open, a marker that is
 * malformed or stands before no fence. The message reads {@code file:line: what is wrong: what to
 * do}.
 */
public final class SnippetException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param file    the Markdown file, as the report names it
     * @param line    the line concerned, from 1
     * @param message what is wrong and what to do
     */
    public SnippetException(String file, int line, String message) {
        super(file + ":" + line + ": " + message);
    }
}
