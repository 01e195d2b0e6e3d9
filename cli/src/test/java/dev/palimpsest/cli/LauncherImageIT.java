package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
    private static Path image;

    @TempDir
    Path root;

    @BeforeAll
    static void findImage() {
        image = LaunchedImage.image();
    }

    /** Runs the image's launcher with sharing forced on; a null env means an empty one. */
    private static LauncherRun launch(Map<String, String> env, String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(image.resolve("bin/palimpsest").toString());
        command.addAll(Arrays.asList(args));
        Map<String, String> environment = new HashMap<>(env);
        environment.putIfAbsent("PALIMPSEST_JVM_OPTIONS", "-Xshare:on");
        return LaunchedImage.exec(command, environment, stdin);
    }

    private LauncherRun inRoot(String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(Arrays.asList(args));
        return launch(Map.of(), "", all.toArray(String[]::new));
    }

    @Test
    void smokeAppendShowTranscriptListWithSharingForcedOn() throws IOException {
        assertEquals("1\n", inRoot("append", "--user", "hello", "--assistant", "hi", "smoke")
                .expect(0).out());
        assertEquals("2\n", inRoot("append", "--user", "again", "--assistant", "there",
                "smoke").expect(0).out());
        assertTrue(inRoot("show", "smoke").expect(0).out().contains("'smoke'"));
        assertEquals(List.of("smoke"), JsonValues.of(inRoot("show", "--json", "smoke").expect(0)
                .out(), "conv_id"));
        assertEquals(List.of("hello", "hi", "again", "there"),
                JsonValues.of(inRoot("transcript", "--json", "smoke").expect(0).out(),
                        "content"));
        assertEquals(List.of("smoke"), JsonValues.of(inRoot("list", "--json").expect(0).out(),
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
                "dev.palimpsest.store.file.FileConversationStore",
                "dev.palimpsest.format.FormatCodec",
                "com.fasterxml.jackson.core.JsonFactory")) {
            assertTrue(loaded.contains(" " + type + " source: shared objects file"),
                    type + " was not loaded from the archive");
        }
    }

    @Test
    void theImageHoldsOnlyTheModulesItNeeds() {
        LauncherRun modules = LaunchedImage.exec(List.of(image.resolve("bin/java").toString(),
                "--list-modules"), Map.of(), "").expect(0);
        Set<String> names = modules.out().lines().map(line -> line.replaceFirst("@.*", ""))
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> jdk = names.stream().filter(n -> n.startsWith("java.") || n.startsWith("jdk."))
                .collect(Collectors.toCollection(TreeSet::new));
        // java.management and jdk.management come with lucene-core (required by the recall
        // module, so Lucene never warns that they are missing); java.sql (with java.xml and
        // java.transaction.xa, which it requires) with the PostgreSQL store; java.naming and
        // java.security.jgss (with java.security.sasl) for the driver on the class path;
        // jdk.httpserver with the server of palimpsest serve.
        assertEquals(Set.of("java.base", "java.logging", "java.management", "java.net.http",
                "java.naming", "java.security.jgss", "java.security.sasl", "java.sql",
                "java.transaction.xa", "java.xml", "jdk.crypto.ec", "jdk.httpserver",
                "jdk.management", "jdk.unsupported"), jdk, "JDK modules in the image");
        assertEquals(Set.of("dev.palimpsest.cli", "dev.palimpsest.engine",
                "dev.palimpsest.store.file", "dev.palimpsest.store", "dev.palimpsest.model",
                "dev.palimpsest.format", "dev.palimpsest.summarizer.openai",
                "dev.palimpsest.recall.lucene", "dev.palimpsest.store.postgres",
                "dev.palimpsest.server", "org.apache.lucene.core", "info.picocli",
                "com.fasterxml.jackson.databind", "com.fasterxml.jackson.core",
                "com.fasterxml.jackson.annotation"),
                names.stream().filter(n -> !jdk.contains(n)).collect(Collectors.toSet()),
                "the application's modules in the image");
        try (java.util.stream.Stream<Path> jars = Files.list(image.resolve("lib/classpath"))) {
            assertEquals(List.of("postgresql"), jars.map(j -> j.getFileName().toString()
                    .replaceFirst("-[0-9].*", "")).toList(), "the class path of the image");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(Files.notExists(image.resolve("include")), "header files are stripped");
        assertTrue(Files.notExists(image.resolve("man")), "man pages are stripped");
    }

    @Test
    void theImageRunsOnAPostgresqlStoreWithTheDriverOnItsClassPath() throws IOException {
        try (dev.palimpsest.testkit.PostgresServer server =
                     dev.palimpsest.testkit.PostgresServer.start()) {
            Map<String, String> env = Map.of("PALIMPSEST_STORE_PASSWORD", server.password());
            String store = server.url() + "?schema=image_it";
            String base = "--root=" + root;
            assertEquals(3, launch(env, "", base, "--store", store, "db", "status").exit());
            assertEquals("schema image_it migrated from version 0 to 1\n", launch(env, "", base,
                    "--store", store, "db", "migrate").expect(0).out());
            assertEquals("1\n", launch(env, "", base, "--store", store, "append", "--user",
                    "the staging port is 6543", "--assistant", "noted", "pg-conv").expect(0)
                    .out());
            // The password from a file named in config.json, the store from its key.
            Files.writeString(root.resolve("secret"), server.password() + "\n");
            Files.writeString(root.resolve("config.json"), "{\"store\": \"" + store
                    + "\", \"store_password_file\": \"secret\"}");
            String found = launch(Map.of(), "", base, "search", "pg-conv", "staging port")
                    .expect(0).out();
            assertTrue(found.contains("the staging port is 6543"), found);
            String listed = launch(Map.of(), "", base, "list").expect(0).out();
            assertTrue(listed.contains("pg-conv"), listed);
            assertTrue(Files.notExists(root.resolve("sm")), "nothing went to the files");
            LauncherRun wrong = launch(Map.of("PALIMPSEST_STORE_PASSWORD", "wrong"), "", base,
                    "list").expect(6);
            assertTrue(!wrong.err().contains("wrong"), wrong.err());
        }
    }

    @Test
    void theImageServesTheHttpApiOverAPostgresqlStoreToCurl() throws IOException {
        try (dev.palimpsest.testkit.PostgresServer server =
                     dev.palimpsest.testkit.PostgresServer.start()) {
            String store = server.url() + "?schema=serve_it";
            String base = "--root=" + root;
            Files.writeString(root.resolve("secret"), server.password() + "\n");
            Files.writeString(root.resolve("token"), "image-it-token-0123456789\n");
            // The store from config.json, as an operator configures a fleet's servers.
            Files.writeString(root.resolve("config.json"), "{\"store\": \"" + store
                    + "\", \"store_password_file\": \"secret\"}");
            launch(Map.of(), "", base, "db", "migrate").expect(0);
            try (LaunchedImage serve = LaunchedImage.start(base, "serve", "--bind",
                    "127.0.0.1:0", "--token-file", root.resolve("token").toString())) {
                String line = serve.readLine();
                assertTrue(line.startsWith("serving http://127.0.0.1:") && line.contains(
                        "postgresql://"), line);
                assertTrue(!line.contains(server.password()), line);
                String url = line.split(" ")[1];
                // curl, as a shell script would call it.
                LauncherRun curl = LaunchedImage.exec(List.of("curl", "-sS", "--max-time", "30",
                        "-w", "\n%{http_code}", "-H", "Authorization: Bearer "
                                + "image-it-token-0123456789", "-H",
                        "Content-Type: application/json", "-d",
                        "{\"role\":\"user\",\"content\":\"the staging port is 6543\","
                                + "\"id\":\"m1\"}", url + "conversations/pg%2Fconv/messages"),
                        Map.of(), "");
                assertTrue(curl.out().endsWith("\n201"), curl.out() + curl.err());
                LauncherRun context = LaunchedImage.exec(List.of("curl", "-sS", "--max-time",
                        "30", "-H", "Authorization: Bearer image-it-token-0123456789",
                        url + "conversations/pg%2Fconv/context?query=staging+port"), Map.of(),
                        "");
                assertTrue(context.out().contains("the staging port is 6543"), context.out());
                serve.signal("TERM");
                assertEquals(143, serve.exit(), serve.stderr());
                assertTrue(!serve.stderr().contains("Exception"), serve.stderr());
            }
            String listed = launch(Map.of(), "", base, "list").expect(0).out();
            assertTrue(listed.contains("pg/conv"), listed);
            assertTrue(Files.notExists(root.resolve("sm")), "nothing went to the files");
        }
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
        assertEquals(List.of(text, text), JsonValues.of(json, "content"));
        assertEquals(List.of("значение"), JsonValues.of(json, "ключ"));
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
        LaunchedImage.exec(command, Map.of("LC_ALL", "C"), "").expect(0);
        String json = launch(Map.of(), "", "--root", root.toString(), "transcript", "--json",
                id).expect(0).out();
        // The round is the user text and an empty assistant text (no --assistant was given).
        assertEquals(List.of("ünïcödé", ""), JsonValues.of(json, "content"));
    }

    @Test
    void idsStartingWithDashOrAtSignWork() throws IOException {
        Path atFile = root.resolve("args.txt");
        Files.writeString(atFile, "list\n");
        inRoot("append", "--user", "dash", "--", "-leading-dash").expect(0);
        inRoot("append", "--user", "at", "@" + atFile).expect(0);
        assertTrue(inRoot("show", "--", "-leading-dash").expect(0).out()
                .contains("'-leading-dash'"));
        assertEquals(List.of("at", ""), JsonValues.of(inRoot("transcript", "--json", "@" + atFile)
                .expect(0).out(), "content"));
    }

    @Test
    void textCanComeFromStandardInput() throws IOException {
        String body = "line one\nline two ✓\n";
        assertEquals("1\n", launch(Map.of(), body, "--root", root.toString(), "append",
                "--user", "q", "--assistant-file", "-", "stdin").expect(0).out());
        assertEquals(List.of("q", body), JsonValues.of(inRoot("transcript", "--json", "stdin")
                .expect(0).out(), "content"));
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
