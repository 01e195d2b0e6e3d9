package dev.palimpsest.cli;

/** Formatting of ids and messages for one-line terminal output. */
final class Text {
    private Text() {
    }

    /**
     * Quotes a value for a one-line message: control characters (a newline in an id, for one)
     * are escaped, so an error stays on one line and names the id unambiguously.
     */
    static String quote(String value) {
        return "'" + oneLine(value) + "'";
    }

    /** Escapes control characters so that {@code value} prints on one line. */
    static String oneLine(String value) {
        StringBuilder sb = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                if (sb == null) {
                    sb = new StringBuilder(value.length() + 8).append(value, 0, i);
                }
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    case '\t' -> sb.append("\\t");
                    default -> sb.append(String.format("\\u%04x", (int) c));
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? value : sb.toString();
    }

    /** Shortens {@code value} to at most {@code max} characters on one line, marking a cut. */
    static String preview(String value, int max) {
        String line = oneLine(value);
        if (line.length() <= max) {
            return line;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(line.charAt(end - 1))) {
            end--;
        }
        return line.substring(0, end) + "…";
    }
}
