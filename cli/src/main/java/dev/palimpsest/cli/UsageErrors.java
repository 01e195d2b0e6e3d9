package dev.palimpsest.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns picocli's parse failures into one line in the user's terms, with "did you mean" for a
 * mistyped command or option: {@code unknown option '--usr'; did you mean '--user'?} rather
 * than a complaint about the arguments after it.
 */
final class UsageErrors {
    private UsageErrors() {
    }

    /**
     * Describes a parse failure.
     *
     * @param e what picocli threw
     * @return the message, on one line
     */
    static String describe(ParameterException e) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        if (e instanceof UnmatchedArgumentException unmatched
                && !unmatched.getUnmatched().isEmpty()) {
            String first = unmatched.getUnmatched().get(0);
            if (first.startsWith("-") && first.length() > 1 && !first.equals("--")) {
                String option = first.contains("=") ? first.substring(0, first.indexOf('='))
                        : first;
                return withSuggestion("unknown option " + Text.quote(option),
                        Suggestions.closest(option, optionNames(spec)));
            }
            if (spec.parent() == null) {
                return withSuggestion("unknown command " + Text.quote(first),
                        Suggestions.closest(first, spec.subcommands().keySet()));
            }
            return "unexpected argument " + Text.quote(first)
                    + (unmatched.getUnmatched().size() > 1 ? " (and "
                    + (unmatched.getUnmatched().size() - 1) + " more)" : "")
                    + "; an argument that starts with '-' may follow '--'";
        }
        if (e instanceof CommandLine.MissingParameterException missing) {
            List<String> what = new ArrayList<>();
            missing.getMissing().forEach(arg -> what.add(arg.paramLabel()));
            return "missing " + String.join(", ", what)
                    + (what.contains("ID") ? " (the conversation id, after the options)" : "");
        }
        return Text.oneLine(String.valueOf(e.getMessage()));
    }

    private static String withSuggestion(String message, List<String> names) {
        return names.isEmpty() ? message : message + "; " + Suggestions.didYouMean(names);
    }

    private static List<String> optionNames(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (OptionSpec option : spec.options()) {
            for (String name : option.names()) {
                if (name.startsWith("--")) {
                    names.add(name);
                }
            }
        }
        return names;
    }
}
