package dev.palimpsest.doccheck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What can be checked of a command that does not run in the build: that a script it names
 * exists, and that a Maven command works on a clean clone, where no module of this project is
 * installed in the local repository.
 *
 * <ul>
 *   <li>{@code -pl MODULE} needs {@code -am}, so that the modules it depends on (at least the
 *       testkit) are built in the same run;</li>
 *   <li>with {@code -am}, {@code -Dtest=...} needs {@code -Dsurefire.failIfNoSpecifiedTests=false}
 *       (and {@code -Dit.test=...} needs {@code -Dfailsafe.failIfNoSpecifiedTests=false}),
 *       since the other modules built have no such test;</li>
 *   <li>every module named exists, and every test class named is a test source of them.</li>
 * </ul>
 * Words with a {@code <placeholder>} are a template for the reader and are not looked up.
 */
public final class CommandRules {
    private final Path repository;

    /**
     * Rules for commands run from the root of {@code repository}.
     *
     * @param repository the project's root folder
     */
    public CommandRules(Path repository) {
        this.repository = repository;
    }

    /**
     * Checks one simple command.
     *
     * @param stage the command's words, as {@link ShellCommand#stages()} gives them
     * @return the problems, empty if there are none
     */
    public List<String> problems(List<String> stage) {
        Optional<String> program = ShellCommand.program(stage);
        if (program.isEmpty()) {
            return List.of();
        }
        String name = program.get();
        List<String> problems = new ArrayList<>();
        if (name.contains("/") && !name.startsWith("/") && !name.contains("target/")
                && !isTemplate(name) && !Files.exists(repository.resolve(name))) {
            problems.add("'" + name + "' does not exist in the repository");
        }
        if (name.equals("./mvnw") || name.equals("mvn")) {
            problems.addAll(maven(stage));
        }
        return problems;
    }

    private List<String> maven(List<String> words) {
        List<String> problems = new ArrayList<>();
        List<String> modules = new ArrayList<>();
        boolean alsoMake = false;
        List<String> tests = new ArrayList<>();
        List<String> integrationTests = new ArrayList<>();
        boolean surefireLenient = false;
        boolean failsafeLenient = false;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            if ((word.equals("-pl") || word.equals("--projects")) && i + 1 < words.size()) {
                modules.addAll(List.of(words.get(++i).split(",")));
            } else if (word.startsWith("-pl") && word.length() > 3) {
                modules.addAll(List.of(word.substring(3).split(",")));
            } else if (word.equals("-am") || word.equals("--also-make")) {
                alsoMake = true;
            } else if (word.startsWith("-Dtest=")) {
                tests.addAll(List.of(word.substring("-Dtest=".length()).split(",")));
            } else if (word.startsWith("-Dit.test=")) {
                integrationTests.addAll(List.of(word.substring("-Dit.test=".length()).split(",")));
            } else if (word.equals("-Dsurefire.failIfNoSpecifiedTests=false")) {
                surefireLenient = true;
            } else if (word.equals("-Dfailsafe.failIfNoSpecifiedTests=false")) {
                failsafeLenient = true;
            }
        }
        for (String module : modules) {
            if (!isTemplate(module) && !Files.isRegularFile(repository.resolve(module)
                    .resolve("pom.xml"))) {
                problems.add("-pl " + module + ": no such module");
            }
        }
        if (!modules.isEmpty() && !alsoMake) {
            problems.add("-pl without -am fails on a clean clone (the modules it depends on are "
                    + "not installed): add -am");
        }
        if (alsoMake && !tests.isEmpty() && !surefireLenient) {
            problems.add("-Dtest with -am fails in the modules that lack that test: add "
                    + "-Dsurefire.failIfNoSpecifiedTests=false");
        }
        if (alsoMake && !integrationTests.isEmpty() && !failsafeLenient) {
            problems.add("-Dit.test with -am fails in the modules that lack that test: add "
                    + "-Dfailsafe.failIfNoSpecifiedTests=false");
        }
        List<String> named = new ArrayList<>(tests);
        named.addAll(integrationTests);
        for (String test : named) {
            String type = test.replaceAll("#.*$", "");
            if (!isTemplate(type) && type.matches("\\w+")
                    && !testSourceExists(modules, type + ".java")) {
                problems.add("no test class " + type + " in "
                        + (modules.isEmpty() ? "any module" : String.join(", ", modules)));
            }
        }
        return problems;
    }

    private boolean testSourceExists(List<String> modules, String fileName) {
        List<Path> roots = new ArrayList<>();
        if (modules.isEmpty()) {
            try (Stream<Path> children = Files.list(repository)) {
                children.map(child -> child.resolve("src/test/java")).forEach(roots::add);
            } catch (IOException e) {
                throw new UncheckedIOException("listing " + repository + " failed", e);
            }
        } else {
            modules.forEach(module -> roots.add(repository.resolve(module)
                    .resolve("src/test/java")));
        }
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(root)) {
                if (files.anyMatch(file -> file.getFileName().toString().equals(fileName))) {
                    return true;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("listing " + root + " failed", e);
            }
        }
        return false;
    }

    private static boolean isTemplate(String word) {
        return word.contains("<") || word.contains(">");
    }
}
