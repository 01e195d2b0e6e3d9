package dev.palimpsest.doccheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Compares the output a document shows for a command with the output the command printed.
 *
 * <p>Lines are compared after runs of spaces and tabs are collapsed to one space and each line
 * is trimmed, so a table's column widths may change without the document changing; blank lines
 * at the end do not count. In a shown line, a placeholder stands for a value that varies from run
 * to run:
 * <ul>
 *   <li>{@code <timestamp>}: an ISO-8601 instant in UTC, such as
 *       {@code 2026-11-25T19:27:14.341Z};</li>
 *   <li>{@code <path>}: a file name, any run of characters without white space;</li>
 * </ul>
 * and a line that is only {@code ...} stands for any number of lines, none included.
 */
public final class OutputMatcher {
    /** The line that stands for any number of lines. */
    public static final String ANY_LINES = "...";

    private static final Map<String, String> PLACEHOLDERS = Map.of(
            "<timestamp>", "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?Z",
            "<path>", "\\S+");
    private static final Pattern PLACEHOLDER = Pattern.compile("<timestamp>|<path>");
    private static final Pattern BLANKS = Pattern.compile("[ \\t]+");

    private OutputMatcher() {
    }

    /**
     * Compares shown and printed output.
     *
     * @param shown   the lines the document shows
     * @param printed what the command printed
     * @return empty if they match, else a report of both
     */
    public static Optional<String> mismatch(List<String> shown, String printed) {
        List<String> actual = normalize(printed.lines().toList());
        List<String> expected = normalize(shown);
        List<Pattern> patterns = new ArrayList<>();
        for (String line : expected) {
            patterns.add(line.equals(ANY_LINES) ? null : pattern(line));
        }
        if (matches(patterns, 0, actual, 0)) {
            return Optional.empty();
        }
        return Optional.of("the document shows:\n" + indent(expected) + "but it printed:\n"
                + indent(actual));
    }

    private static boolean matches(List<Pattern> patterns, int p, List<String> lines, int l) {
        if (p == patterns.size()) {
            return l == lines.size();
        }
        Pattern pattern = patterns.get(p);
        if (pattern == null) {
            for (int skip = l; skip <= lines.size(); skip++) {
                if (matches(patterns, p + 1, lines, skip)) {
                    return true;
                }
            }
            return false;
        }
        return l < lines.size() && pattern.matcher(lines.get(l)).matches()
                && matches(patterns, p + 1, lines, l + 1);
    }

    private static Pattern pattern(String line) {
        StringBuilder regex = new StringBuilder();
        Matcher placeholder = PLACEHOLDER.matcher(line);
        int last = 0;
        while (placeholder.find()) {
            regex.append(Pattern.quote(line.substring(last, placeholder.start())))
                    .append(PLACEHOLDERS.get(placeholder.group()));
            last = placeholder.end();
        }
        regex.append(Pattern.quote(line.substring(last)));
        return Pattern.compile(regex.toString());
    }

    private static List<String> normalize(List<String> lines) {
        List<String> normalized = new ArrayList<>();
        for (String line : lines) {
            normalized.add(BLANKS.matcher(line).replaceAll(" ").strip());
        }
        while (!normalized.isEmpty() && normalized.get(normalized.size() - 1).isEmpty()) {
            normalized.remove(normalized.size() - 1);
        }
        return normalized;
    }

    private static String indent(List<String> lines) {
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append("    | ").append(line).append('\n');
        }
        return text.toString();
    }
}
