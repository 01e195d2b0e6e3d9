package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fenced code block of {@code README.md} and {@code docs/**.md} compiles, runs or parses
 * as written (see {@link SnippetChecker}); one dynamic test per block, named by its file and
 * line. The {@code sh} blocks of a file run in order in one fresh session, against the image
 * that {@code cli} built, so a later block sees what an earlier one stored, as a reader who
 * follows the page would.
 */
class DocumentationIT {
    /** What a user can depend on: the modules that attach sources and javadoc jars. */
    static final Set<String> SHIPPED = Set.of("palimpsest-model", "palimpsest-store",
            "palimpsest-store-memory", "palimpsest-format", "palimpsest-store-file",
            "palimpsest-recall-lucene", "palimpsest-store-postgres",
            "palimpsest-engine", "palimpsest-summarizer-openai", "palimpsest-server",
            "palimpsest-cli");
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private static Path repository;
    private static Path launcherBin;
    private static SnippetChecker checker;
    private static final Map<String, Integer> CHECKED = new TreeMap<>();

    @TempDir
    static Path scratch;

    @BeforeAll
    static void setUp() throws IOException {
        repository = Path.of(property("palimpsest.repository")).toAbsolutePath().normalize();
        launcherBin = Path.of(property("palimpsest.image")).resolve("bin");
        assertTrue(Files.isExecutable(launcherBin.resolve("palimpsest")),
                "no launcher in " + launcherBin + ": build cli first (./mvnw -pl doccheck -am)");
        List<Path> modules;
        try (Stream<Path> jars = Files.list(Path.of(property("palimpsest.docModules")))) {
            modules = jars.filter(jar -> jar.toString().endsWith(".jar")).sorted().toList();
        }
        assertTrue(modules.stream().anyMatch(jar -> jar.getFileName().toString()
                .startsWith("palimpsest-engine-")), "no engine jar among " + modules);
        checker = new SnippetChecker(repository, modules, SHIPPED,
                property("palimpsest.version"));
    }

    @AfterAll
    static void everyKindOfBlockWasChecked() {
        // A parser that finds nothing would pass every file: insist that each kind was seen.
        for (String kind : List.of("compile", "run", "parse")) {
            assertTrue(CHECKED.getOrDefault(kind, 0) > 0, "no block was checked as '" + kind
                    + "': " + CHECKED);
        }
        System.out.println("documentation blocks checked: " + CHECKED);
    }

    static String property(String name) {
        String value = System.getProperty(name);
        assertTrue(value != null && !value.isEmpty(), "system property " + name + " is not set");
        return value;
    }

    /** README.md and every Markdown file below docs/, in a stable order. */
    static List<Path> markdownFiles() throws IOException {
        List<Path> files = new ArrayList<>(List.of(repository.resolve("README.md")));
        try (Stream<Path> docs = Files.walk(repository.resolve("docs"))) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        return files;
    }

    @TestFactory
    Stream<DynamicNode> everyCodeBlockCompilesRunsOrParsesAsWritten() throws IOException {
        List<DynamicNode> files = new ArrayList<>();
        for (Path file : markdownFiles()) {
            String name = repository.relativize(file).toString();
            List<Snippet> snippets = MarkdownSnippets.parse(name,
                    Files.readString(file, StandardCharsets.UTF_8));
            Path folder = scratch.resolve(name.replace('/', '_'));
            ShellSession shell = new ShellSession(launcherBin, folder.resolve("shell"),
                    COMMAND_TIMEOUT);
            List<DynamicTest> tests = new ArrayList<>();
            for (Snippet snippet : snippets) {
                String kind = SnippetChecker.kind(snippet);
                tests.add(DynamicTest.dynamicTest(snippet.location() + " ```" + snippet.language()
                        + " (" + kind + ")", () -> {
                            CHECKED.merge(kind.startsWith("not run") ? "not run" : kind, 1,
                                    Integer::sum);
                            List<String> problems = checker.check(snippet, shell,
                                    Files.createDirectories(folder.resolve("block-"
                                            + snippet.line())));
                            if (!problems.isEmpty()) {
                                fail(problems.stream().map(p -> snippet.location() + ": " + p)
                                        .collect(Collectors.joining("\n")));
                            }
                        }));
            }
            files.add(DynamicContainer.dynamicContainer(name, tests));
        }
        return files.stream();
    }
}
