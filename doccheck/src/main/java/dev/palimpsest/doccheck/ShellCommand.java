package dev.palimpsest.doccheck;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One command of an {@code sh} block and the output the block shows for it.
 *
 * <p>A block either shows a session, where each command starts with {@code $ } and the lines up
 * to the next {@code $ } are its output, or it is a script, where every line that is neither
 * blank nor a {@code #} comment is a command and no output is shown. A line ending in a
 * backslash continues on the next.
 *
 * @param offset the command's first line within the block, from 1
 * @param text   the command, continuation lines joined
 * @param output the output lines the block shows, empty if it shows none
 */
public record ShellCommand(int offset, String text, List<String> output) {

    /**
     * Rejects null parts and copies the output.
     *
     * @param offset the command's first line within the block, from 1
     * @param text   the command, continuation lines joined
     * @param output the output lines the block shows, empty if it shows none
     */
    public ShellCommand {
        Objects.requireNonNull(text, "text");
        output = List.copyOf(output);
    }

    /**
     * The commands of a block.
     *
     * @param body the block's text
     * @return the commands, in order
     * @throws IllegalArgumentException naming the line when a session block has output before
     *                                  its first command
     */
    public static List<ShellCommand> parse(String body) {
        List<String> lines = body.lines().toList();
        boolean session = lines.stream().anyMatch(line -> line.startsWith("$ "));
        List<ShellCommand> commands = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (session && !line.startsWith("$ ")) {
                if (!line.isBlank()) {
                    throw new IllegalArgumentException("line " + (i + 1) + " of the block is "
                            + "output before any command: start commands with '$ '");
                }
                continue;
            }
            if (!session && (line.isBlank() || line.strip().startsWith("#"))) {
                continue;
            }
            int first = i;
            // Continuation lines stay as they are: the shell joins them itself.
            StringBuilder text = new StringBuilder(session ? line.substring(2) : line);
            while (lines.get(i).endsWith("\\") && i + 1 < lines.size()) {
                text.append('\n').append(lines.get(++i));
            }
            List<String> output = new ArrayList<>();
            while (session && i + 1 < lines.size() && !lines.get(i + 1).startsWith("$ ")) {
                output.add(lines.get(++i));
            }
            while (!output.isEmpty() && output.get(output.size() - 1).isBlank()) {
                output.remove(output.size() - 1);
            }
            commands.add(new ShellCommand(first + 1, text.toString().strip(), output));
        }
        return commands;
    }

    /**
     * The simple commands of this command line, split at unquoted {@code |}, {@code ||},
     * {@code &&} and {@code ;}, each as its words with quotes removed.
     *
     * @return the simple commands, in order
     */
    public List<List<String>> stages() {
        List<List<String>> stages = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        String s = text.replace("\\\n", " ").replace('\n', ' ');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '\\' && quote == '"' && i + 1 < s.length()) {
                    word.append(s.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < s.length()) {
                word.append(s.charAt(++i));
                inWord = true;
            } else if (c == '#' && !inWord) {
                break;
            } else if (c == '&' && (i > 0 && s.charAt(i - 1) == '>'
                    || i + 1 < s.length() && s.charAt(i + 1) == '>')) {
                word.append(c); // a redirection such as 2>&1 or &>file
                inWord = true;
            } else if (c == '|' || c == ';' || c == '&') {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
                if (i + 1 < s.length() && s.charAt(i + 1) == c) {
                    i++;
                }
                if (!words.isEmpty()) {
                    stages.add(List.copyOf(words));
                }
                words.clear();
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        if (!words.isEmpty()) {
            stages.add(List.copyOf(words));
        }
        return stages;
    }

    /**
     * The program a simple command runs: its first word after any {@code NAME=value}
     * assignments.
     *
     * @param stage a simple command's words, from {@link #stages()}
     * @return the program, or empty if the stage only assigns variables
     */
    public static Optional<String> program(List<String> stage) {
        return stage.stream().filter(word -> !word.matches("[A-Za-z_][A-Za-z0-9_]*=.*"))
                .findFirst();
    }

    /**
     * Whether the command line starts a program in the background (a single unquoted
     * {@code &} that is not part of a redirection), which would outlive the check.
     *
     * @return whether it does
     */
    public boolean runsInBackground() {
        boolean inSingle = false;
        boolean inDouble = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' && !inDouble) {
                inSingle = !inSingle;
            } else if (c == '"' && !inSingle) {
                inDouble = !inDouble;
            } else if (c == '&' && !inSingle && !inDouble) {
                boolean doubled = i + 1 < text.length() && text.charAt(i + 1) == '&';
                boolean redirection = i > 0 && text.charAt(i - 1) == '>'
                        || i + 1 < text.length() && text.charAt(i + 1) == '>';
                if (doubled) {
                    i++;
                } else if (!redirection) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the command line substitutes a command ({@code $(...)} or backquotes) outside
     * single quotes, which hides a program from {@link #stages()}.
     *
     * @return whether it does
     */
    public boolean substitutesCommands() {
        boolean inSingle = false;
        boolean inDouble = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'' && !inDouble) {
                inSingle = !inSingle;
            } else if (c == '"' && !inSingle) {
                inDouble = !inDouble;
            } else if (!inSingle && (c == '`' || (c == '$' && i + 1 < text.length()
                    && text.charAt(i + 1) == '('))) {
                return true;
            }
        }
        return false;
    }
}
