package dev.palimpsest.doccheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Extracts the fenced code blocks of a Markdown file (CommonMark fences of three or more
 * backticks or tildes, at any indentation, so blocks inside list items count too) together with
 * the marker on the line right before each fence.
 */
public final class MarkdownSnippets {
    private static final Pattern FENCE =
            Pattern.compile("^([ \\t]*)(`{3,}|~{3,})\\s*([^\\s`]*).*$");
    private static final Pattern MARKER_START = Pattern.compile("^\\s*<!--\\s*snippet\\b");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*snippet:(.*?)-->\\s*$");
    private static final Pattern NOT_RUN = Pattern.compile("^\\s*not-run:(.*)$");
    private static final Pattern EXITS = Pattern.compile("^\\s*exits\\s+(\\d{1,3})\\s*$");

    private MarkdownSnippets() {
    }

    /**
     * Every fenced block of {@code markdown}, in order.
     *
     * @param file     the file's name in reports (for example {@code docs/cli.md})
     * @param markdown the file's text
     * @return the blocks
     * @throws SnippetException for a fence left open, a malformed marker, or a marker that does
     *                          not stand right before a fence
     */
    public static List<Snippet> parse(String file, String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Snippet> snippets = new ArrayList<>();
        Optional<Marker> pending = Optional.empty();
        int pendingLine = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher fence = FENCE.matcher(line);
            if (fence.matches()) {
                int end = closingFence(lines, i, fence.group(2));
                if (end < 0) {
                    throw new SnippetException(file, i + 1, "this code block is never closed: "
                            + "end it with a line of " + fence.group(2));
                }
                String indent = fence.group(1);
                StringBuilder body = new StringBuilder();
                for (int j = i + 1; j < end; j++) {
                    body.append(unindent(lines.get(j), indent.length())).append('\n');
                }
                Optional<Marker> marker = pendingLine == i ? pending : Optional.empty();
                snippets.add(new Snippet(file, i + 1, fence.group(3).toLowerCase(Locale.ROOT),
                        body.toString(), marker));
                pending = Optional.empty();
                i = end;
                continue;
            }
            if (pending.isPresent()) {
                throw new SnippetException(file, pendingLine, "a snippet marker must stand on "
                        + "the line right before a code block's opening fence");
            }
            if (MARKER_START.matcher(line).lookingAt()) {
                pending = Optional.of(marker(file, i + 1, line));
                pendingLine = i + 1;
            }
        }
        if (pending.isPresent()) {
            throw new SnippetException(file, pendingLine, "a snippet marker must stand on the "
                    + "line right before a code block's opening fence");
        }
        return snippets;
    }

    private static Marker marker(String file, int lineNumber, String line) {
        Matcher marker = MARKER.matcher(line);
        if (!marker.matches()) {
            throw new SnippetException(file, lineNumber, "a snippet marker is a line of its own: "
                    + "<!-- snippet: not-run: REASON --> or <!-- snippet: exits N -->");
        }
        String content = marker.group(1);
        Matcher notRun = NOT_RUN.matcher(content);
        if (notRun.matches()) {
            if (notRun.group(1).isBlank()) {
                throw new SnippetException(file, lineNumber, "say why the block cannot run in "
                        + "the build: <!-- snippet: not-run: REASON -->");
            }
            return new Marker.NotRun(notRun.group(1).strip());
        }
        Matcher exits = EXITS.matcher(content);
        if (exits.matches() && Integer.parseInt(exits.group(1)) <= 255) {
            return new Marker.Exits(Integer.parseInt(exits.group(1)));
        }
        throw new SnippetException(file, lineNumber, "unknown snippet marker '"
                + content.strip() + "': use not-run: REASON or exits N (0 to 255)");
    }

    /** The index of the line that closes the fence opened at {@code open}, or -1. */
    private static int closingFence(List<String> lines, int open, String opening) {
        char kind = opening.charAt(0);
        for (int j = open + 1; j < lines.size(); j++) {
            String candidate = lines.get(j).strip();
            if (candidate.length() >= opening.length()
                    && candidate.chars().allMatch(c -> c == kind)) {
                return j;
            }
        }
        return -1;
    }

    /** Removes up to {@code width} leading spaces, as CommonMark does inside an indented fence. */
    private static String unindent(String line, int width) {
        int cut = 0;
        while (cut < width && cut < line.length() && line.charAt(cut) == ' ') {
            cut++;
        }
        return line.substring(cut);
    }
}
