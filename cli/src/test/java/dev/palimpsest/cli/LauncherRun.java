package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One in-process run of the launcher with captured streams: what a test asserts on.
 *
 * @param exit the exit code
 * @param out  standard output, decoded as UTF-8
 * @param err  standard error, decoded as UTF-8
 */
record LauncherRun(int exit, String out, String err) {

    /** Runs {@code palimpsest --root ROOT ARGS...} with empty standard input. */
    static LauncherRun inRoot(Path root, String... args) {
        List<String> all = new ArrayList<>(List.of("--root", root.toString()));
        all.addAll(List.of(args));
        return with(Map.of(), "", all.toArray(String[]::new));
    }

    /** Runs the launcher with the given environment, standard input and arguments. */
    static LauncherRun with(Map<String, String> env, String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Map<String, String> environment = new HashMap<>(env);
        Terminal terminal = new Terminal(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), environment);
        int exit = Launcher.run(terminal, args);
        return new LauncherRun(exit, out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** Asserts the exit code, showing both streams when it differs. */
    LauncherRun expect(int expectedExit) {
        assertEquals(expectedExit, exit, () -> "exit code; stdout:\n" + out + "\nstderr:\n" + err);
        return this;
    }

    /** Asserts that standard error is one line (the error report) and returns it. */
    String oneErrorLine() {
        assertEquals(1, err.lines().count(), () -> "expected one line on stderr:\n" + err);
        return err.strip();
    }
}
