package dev.palimpsest.doccheck;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Checks one block by its language:
 * <ul>
 *   <li>{@code java}: compiles as a complete compilation unit ({@link JavaSnippetCompiler});</li>
 *   <li>{@code sh}: every command runs in the file's {@link ShellSession} and exits 0 (or as an
 *       {@code exits N} marker says), and where the block shows output after a {@code $ }
 *       command, the command prints it ({@link OutputMatcher}). A command runs in the build only
 *       if every program it starts is {@code palimpsest} or one of {@link #HELPERS}, and at least
 *       one is {@code palimpsest}, with nothing in the background; any other block needs a
 *       {@code <!-- snippet: not-run: REASON -->} marker, and its commands are then checked by
 *       {@link CommandRules} instead;</li>
 *   <li>{@code json}, {@code xml}: parse ({@link StructuredSnippets});</li>
 *   <li>{@code text}: output, diagrams and synopses; it must not show a {@code $ } command;</li>
 *   <li>{@code sql}: a statement of the PostgreSQL store, one per block; the store's own test
 *       ({@code StatementsDocumentedTest}) matches the blocks of docs/postgres.md with the
 *       statements it runs, both ways, so here it is only kept free of commands.</li>
 * </ul>
 * Any other language, or none, is a problem: nothing is skipped silently.
 */
public final class SnippetChecker {
    /** The languages a block may have. */
    public static final Set<String> LANGUAGES = Set.of("java", "sh", "json", "xml", "text",
            "sql");
    /** Programs that may feed or trim the launcher's input and output in a block that runs. */
    public static final Set<String> HELPERS = Set.of("echo", "printf", "head");

    private final JavaSnippetCompiler compiler;
    private final CommandRules rules;
    private final Set<String> shippedArtifacts;
    private final String version;

    /**
     * A checker for one project.
     *
     * @param repository       the project's root folder, for {@link CommandRules}
     * @param modulePath       what {@code java} blocks compile against
     * @param shippedArtifacts the artifact ids a user can depend on
     * @param version          the project's version, for {@code xml} dependencies
     */
    public SnippetChecker(Path repository, List<Path> modulePath, Set<String> shippedArtifacts,
                          String version) {
        this.compiler = new JavaSnippetCompiler(modulePath);
        this.rules = new CommandRules(repository);
        this.shippedArtifacts = Set.copyOf(shippedArtifacts);
        this.version = Objects.requireNonNull(version, "version");
    }

    /**
     * How a block is checked, for a report.
     *
     * @param snippet the block
     * @return a short description such as {@code "compile"} or {@code "run 3 commands"}
     */
    public static String kind(Snippet snippet) {
        if (snippet.marker().orElse(null) instanceof Marker.NotRun notRun) {
            return "not run: " + notRun.reason();
        }
        return switch (snippet.language()) {
            case "java" -> "compile";
            case "sh" -> "run";
            case "json", "xml" -> "parse";
            case "text" -> "text";
            case "sql" -> "statement";
            default -> "unknown";
        };
    }

    /**
     * Checks one block.
     *
     * @param snippet the block
     * @param shell   the session of the block's file, where {@code sh} blocks run
     * @param scratch an empty folder of this block's own
     * @return the problems, each one line or a short report; empty if the block passes
     */
    public List<String> check(Snippet snippet, ShellSession shell, Path scratch) {
        String language = snippet.language();
        if (!LANGUAGES.contains(language)) {
            return List.of((language.isEmpty() ? "a code block without a language"
                    : "unknown language '" + language + "'") + ": write ```java, ```sh, "
                    + "```json, ```xml, ```sql for the PostgreSQL store's statements, or ```text for"
                    + " output, diagrams and synopses");
        }
        if (snippet.marker().isPresent() && !language.equals("sh")) {
            return List.of("snippet markers are for sh blocks only: a " + language
                    + " block is always checked; remove the marker");
        }
        return switch (language) {
            case "java" -> compiler.compile(snippet.body(), scratch).map(List::of)
                    .orElse(List.of());
            case "json" -> StructuredSnippets.checkJson(snippet.body());
            case "xml" -> StructuredSnippets.checkXml(snippet.body(), shippedArtifacts, version);
            case "text", "sql" -> text(snippet);
            default -> shell(snippet, shell);
        };
    }

    private static List<String> text(Snippet snippet) {
        List<String> lines = snippet.body().lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("$ ")) {
                return List.of("line " + (i + 1) + " of this text block is a command: put "
                        + "commands in ```sh blocks, where they run");
            }
        }
        return List.of();
    }

    private List<String> shell(Snippet snippet, ShellSession shell) {
        List<ShellCommand> commands;
        try {
            commands = ShellCommand.parse(snippet.body());
        } catch (IllegalArgumentException e) {
            return List.of(e.getMessage());
        }
        if (commands.isEmpty()) {
            return List.of("an sh block without a command");
        }
        Optional<Marker> marker = snippet.marker();
        List<String> problems = new ArrayList<>();
        if (marker.orElse(null) instanceof Marker.NotRun) {
            for (ShellCommand command : commands) {
                for (List<String> stage : command.stages()) {
                    rules.problems(stage).forEach(problem -> problems.add(
                            "line " + command.offset() + ": " + problem));
                }
            }
            return problems;
        }
        for (ShellCommand command : commands) {
            Optional<String> why = whyNotRunnable(command);
            if (why.isPresent()) {
                return List.of("line " + command.offset() + ": '" + command.text() + "' cannot "
                        + "run in the build: " + why.get() + ". Make it a palimpsest command, "
                        + "or mark the block <!-- snippet: not-run: REASON --> if it really "
                        + "cannot run here");
            }
        }
        int expectedExit = marker.orElse(null) instanceof Marker.Exits exits ? exits.code() : 0;
        for (ShellCommand command : commands) {
            ShellSession.Result result = shell.run(command.text());
            String printed = result.out() + result.err();
            if (result.exit() != expectedExit) {
                problems.add("line " + command.offset() + ": '" + command.text() + "' exited "
                        + result.exit() + ", not " + expectedExit + "; it printed:\n" + printed);
                break;
            }
            if (!command.output().isEmpty()) {
                OutputMatcher.mismatch(command.output(), printed).ifPresent(mismatch ->
                        problems.add("line " + command.offset() + ": '" + command.text()
                                + "': " + mismatch));
            }
        }
        return problems;
    }

    /**
     * Why a command cannot run in the build, if it cannot.
     *
     * @param command the command
     * @return the reason, or empty if it runs
     */
    public static Optional<String> whyNotRunnable(ShellCommand command) {
        if (command.substitutesCommands()) {
            return Optional.of("it substitutes a command ($(...) or backquotes)");
        }
        if (command.runsInBackground()) {
            return Optional.of("it runs a program in the background (&)");
        }
        boolean launcher = false;
        for (List<String> stage : command.stages()) {
            Optional<String> program = ShellCommand.program(stage);
            if (program.isEmpty()) {
                return Optional.of("it only sets variables");
            }
            if (program.get().equals("palimpsest")) {
                launcher = true;
            } else if (!HELPERS.contains(program.get())) {
                return Optional.of("it runs " + program.get() + ", and only palimpsest (with "
                        + String.join(", ", HELPERS.stream().sorted().toList())
                        + ") runs in the build");
            }
        }
        return launcher ? Optional.empty() : Optional.of("it does not run palimpsest");
    }
}
