package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that do not search load no class of Lucene (nor of the recall module), even on a root
 * with a recall index; search does. No command on the file store loads a class of the
 * PostgreSQL store or of its driver. Each command runs in a child JVM that logs the classes it loads.
 */
class LuceneClassLoadingTest {
    private static final Duration LIFETIME = Duration.ofSeconds(90);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private static long luceneClasses(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        // (picocli looks up a few java.sql types for its converters whenever java.sql is in
        // the module graph: those are not the store's.)
        List<String> jdbc = lines.stream().filter(line -> line.contains(" org.postgresql.")
                || line.contains(" dev.palimpsest.store.postgres.")
                || line.contains(" dev.palimpsest.cli.PostgresStores")).toList();
        assertEquals(List.of(), jdbc, "a command on the file store loaded the PostgreSQL store");
        return lines.stream()
                .filter(line -> line.contains(" org.apache.lucene.")
                        || line.contains(" dev.palimpsest.recall."))
                .count();
    }

    private long run(ChildJvms jvms, Path root, String name, String... args) throws IOException {
        Path log = dir.resolve(name + ".log");
        String[] all = new String[args.length + 2];
        all[0] = "--root";
        all[1] = root.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        ChildJvm child = jvms.startThroughShell("JAVA_TOOL_OPTIONS='-Xlog:class+load=info:file="
                + log + "'; export JAVA_TOOL_OPTIONS", LauncherChildMain.class, all);
        assertEquals(0, child.awaitExit(WAIT), child.describe());
        assertTrue(Files.size(log) > 0, "the child logged its classes");
        return luceneClasses(log);
    }

    @Test
    void onlySearchingLoadsLucene() throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        LauncherRun.inRoot(root, "append", "--user", "alpha", "--assistant", "bravo", "c")
                .expect(0);
        LauncherRun.inRoot(root, "search", "alpha").expect(0);
        try (ChildJvms jvms = new ChildJvms(8, LIFETIME)) {
            for (List<String> command : List.of(List.of("show", "c"), List.of("context", "c"),
                    List.of("context", "--budget", "50", "c"), List.of("list", "--json"),
                    List.of("transcript", "c"), List.of("append", "--user", "charlie", "c"))) {
                assertEquals(0, run(jvms, root, command.get(0), command.toArray(String[]::new)),
                        command + " loaded Lucene");
            }
            assertTrue(run(jvms, root, "search", "search", "charlie") > 100,
                    "search loads Lucene (the log shows it)");
            assertTrue(run(jvms, root, "query", "context", "--query", "alpha", "c") > 100);
        }
    }
}
