package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the built runtime image's own launcher ({@code target/image/bin/palimpsest}) as child
 * processes, with class sharing forced on ({@code -Xshare:on}), so that an image that cannot
 * start, links the wrong modules, or silently runs without its CDS archive fails the build.
 * Each child is bounded to a minute and killed if it overruns.
 */
class LauncherImageIT {
    private static final long CHILD_TIMEOUT_SECONDS = 60;
    private static Path image;

    @TempDir
    Path root;

    @BeforeAll
    static void findImage() {
        image = Path.of(System.getProperty("palimpsest.image", "target/image"));
        assertTrue(Files.isExecutable(image.resolve("bin/palimpsest")),
                "no launcher in " + image.toAbsolutePath());
    }

    /** Runs the image's launcher with sharing forced on; a null env means an empty one. */
    private static LauncherRun launch(Map<String, String> env, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(image.resolve("bin/palimpsest").toString());
        command.addAll(Arrays.asList(args));
        Map<String, String> environment = new HashMap<>(env);
        environment.putIfAbsent("PALIMPSEST_JVM_OPTIONS", "-Xshare:on");
        return exec(command, environment, stdin);
    }

    private LauncherRun inRoot(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(Arrays.asList(args));
        return launch(Map.of(), "", all.toArray(String[]::new));
    }

    /** Runs a child with exactly {@code env} as its environment (as {@code env -i} would). */
    private static LauncherRun exec(List<String> command, Map<String, String> env, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(
                    () -> readAll(process, true));
            CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(
                    () -> readAll(process, false));
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out: " + command);
            }
            return new LauncherRun(process.exitValue(),
                    new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("running " + command + " failed", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static byte[] readAll(Process process, boolean stdout) {
        try {
            return (stdout ? process.getInputStream() : process.getErrorStream()).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> values(String json, String field) throws IOException {
        List<String> values = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals(field)) {
                    parser.nextToken();
                    values.add(parser.getText());
                }
            }
        }
        return values;
    }

    @Test
    void smokeAppendShowTranscriptListWithSharingForcedOn() throws IOException {
        assertEquals("1\n", inRoot("append", "--user", "hello", "--assistant", "hi", "smoke")
                .expect(0).out());
        assertEquals("2\n", inRoot("append", "--user", "again", "--assistant", "there",
                "smoke").expect(0).out());
        assertTrue(inRoot("show", "smoke").expect(0).out().contains("2 appended"));
        assertEquals(List.of("smoke"), values(inRoot("show", "--json", "smoke").expect(0).out(),
                "conv_id"));
        assertEquals(List.of("hello", "again"),
                values(inRoot("transcript", "--json", "smoke").expect(0).out(), "user"));
        assertEquals(List.of("smoke"), values(inRoot("list", "--json").expect(0).out(),
                "conv_id"));
        inRoot("show", "never-stored").expect(3).oneErrorLine();
        inRoot("append", "smoke").expect(2).oneErrorLine();
    }

    @Test
    void theLaunchersOwnClassesComeFromTheCdsArchive() throws IOException {
        Path log = root.resolve("class-load.log");
        launch(Map.of("PALIMPSEST_JVM_OPTIONS", "-Xshare:on -Xlog:class+load=info:file=" + log),
                "", "--root", root.toString(), "append", "--user", "u", "cds").expect(0);
        String loaded = Files.readString(log);
        for (String type : List.of("dev.palimpsest.cli.Main", "dev.palimpsest.cli.AppendCommand",
                "picocli.CommandLine", "dev.palimpsest.engine.ConversationEngine",
                "dev.palimpsest.persist.internal.FileConversationStore",
                "com.fasterxml.jackson.core.JsonFactory")) {
            assertTrue(loaded.contains(" " + type + " source: shared objects file"),
                    type + " was not loaded from the archive");
        }
    }

    @Test
    void theImageHoldsOnlyTheModulesItNeeds() {
        LauncherRun modules = exec(List.of(image.resolve("bin/java").toString(),
                "--list-modules"), Map.of(), "").expect(0);
        Set<String> names = modules.out().lines().map(line -> line.replaceFirst("@.*", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> jdk = names.stream().filter(n -> n.startsWith("java.") || n.startsWith("jdk."))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("java.base", "java.logging", "java.net.http", "jdk.crypto.ec"), jdk,
                "JDK modules in the image");
        assertTrue(names.containsAll(Set.of("dev.palimpsest.cli", "dev.palimpsest.engine",
                "dev.palimpsest.persist", "dev.palimpsest.core", "info.picocli",
                "com.fasterxml.jackson.databind", "com.fasterxml.jackson.core")), names::toString);
        assertTrue(Files.notExists(image.resolve("include")), "header files are stripped");
        assertTrue(Files.notExists(image.resolve("man")), "man pages are stripped");
    }

    @Test
    void unicodeRoundTripsUnderAnEmptyEnvironment() throws IOException {
        String id = "会話-Ωmega-🚀";
        String text = "naïve café — 日本語 — \uD83D\uDE00 — ﬁ";
        // No LANG, no LC_*, no PATH: what env -i gives; the launcher must still speak UTF-8.
        Map<String, String> none = Map.of();
        String[] args = {"--root", root.toString(), "append", "--user", text, "--assistant",
                text, "--meta", "ключ=значение", id};
        assertEquals("1\n", launch(none, "", args).expect(0).out());
        String json = launch(none, "", "--root", root.toString(), "transcript", "--json", id)
                .expect(0).out();
        assertEquals(List.of(text), values(json, "user"));
        assertEquals(List.of("значение"), values(json, "ключ"));
        assertTrue(launch(none, "", "--root", root.toString(), "list").expect(0).out()
                .contains(id));
        String error = launch(none, "", "--root", root.toString(), "show", "нет").expect(3)
                .oneErrorLine();
        assertTrue(error.contains("'нет'"), error);
    }

    @Test
    void argumentsAreRecoveredEvenWhenTheJvmStartsUnderAnAsciiLocale() throws IOException {
        // bin/java directly, not the launcher script: no UTF-8 locale is set for the JVM, so
        // it decodes argv as ASCII and the launcher must recover the bytes itself.
        String id = "ascii-locale-é-🚀";
        List<String> command = List.of(image.resolve("bin/java").toString(), "-Xshare:on",
                "-m", "dev.palimpsest.cli/dev.palimpsest.cli.Main", "--root", root.toString(),
                "append", "--user", "ünïcödé", id);
        exec(command, Map.of("LC_ALL", "C"), "").expect(0);
        String json = launch(Map.of(), "", "--root", root.toString(), "transcript", "--json",
                id).expect(0).out();
        assertEquals(List.of("ünïcödé"), values(json, "user"));
    }

    @Test
    void idsStartingWithDashOrAtSignWork() throws IOException {
        Path atFile = root.resolve("args.txt");
        Files.writeString(atFile, "list\n");
        inRoot("append", "--user", "dash", "--", "-leading-dash").expect(0);
        inRoot("append", "--user", "at", "@" + atFile).expect(0);
        assertTrue(inRoot("show", "--", "-leading-dash").expect(0).out()
                .contains("'-leading-dash'"));
        assertEquals(List.of("at"), values(inRoot("transcript", "--json", "@" + atFile)
                .expect(0).out(), "user"));
    }

    @Test
    void textCanComeFromStandardInput() throws IOException {
        String body = "line one\nline two ✓\n";
        assertEquals("1\n", launch(Map.of(), body, "--root", root.toString(), "append",
                "--user", "q", "--assistant-file", "-", "stdin").expect(0).out());
        assertEquals(List.of(body), values(inRoot("transcript", "--json", "stdin").expect(0)
                .out(), "assistant"));
    }

    @Test
    void theDemoRunsFromTheImage() {
        String out = launch(Map.of(), "", "--root", root.toString(), "demo").expect(0).out();
        assertTrue(out.contains("compaction committed"), out);
    }

    @Test
    void theDemoWritesItsTemporaryRootBelowTmpdir() throws IOException {
        // docs/cli.md promises $TMPDIR/palimpsest-demo-*; the JVM alone would use /tmp.
        Path tmp = Files.createDirectories(root.resolve("tmp dir"));
        String out = launch(Map.of("TMPDIR", tmp.toString()), "", "demo").expect(0).out();
        List<Path> made;
        try (Stream<Path> children = Files.list(tmp)) {
            made = children.toList();
        }
        assertEquals(1, made.size(), () -> "expected one demo root in " + tmp + ": " + made);
        assertTrue(made.get(0).getFileName().toString().startsWith("palimpsest-demo-"),
                made.toString());
        assertTrue(out.contains(made.get(0).toString()), out);
    }
}
