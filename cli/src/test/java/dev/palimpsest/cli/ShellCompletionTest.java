package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code palimpsest completion bash|zsh}: the generated script, sourced in a real bash (and
 * zsh, which CI installs), completes commands and options.
 */
class ShellCompletionTest {
    @TempDir
    Path dir;

    private Path script(String shell) throws IOException {
        LauncherRun run = LauncherRun.inRoot(dir, "completion", shell).expect(0);
        Path file = dir.resolve("completion." + shell);
        Files.writeString(file, run.out());
        return file;
    }

    /** Runs a shell script; returns its standard output (standard error is discarded). */
    private static String runShell(String shell, String script) throws Exception {
        Process process = new ProcessBuilder(shell, "-c", script)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), shell + " timed out");
        assertEquals(0, process.exitValue(), shell + " failed: " + out);
        return out;
    }

    /** Completes {@code words} (the last one being typed) with the bash function. */
    private static String bashCompletes(Path script, String... words) throws Exception {
        String line = String.join(" ", words);
        StringBuilder array = new StringBuilder();
        for (String word : words) {
            array.append('\'').append(word).append("' ");
        }
        return runShell("bash", "source '" + script + "'; COMP_WORDS=(" + array + "); "
                + "COMP_CWORD=" + (words.length - 1) + "; COMP_LINE='" + line + "'; "
                + "COMP_POINT=${#COMP_LINE}; _complete_palimpsest; "
                + "printf '%s\\n' \"${COMPREPLY[@]}\"").strip();
    }

    @Test
    void bashCompletesCommandsAndOptions() throws Exception {
        Path script = script("bash");
        assertEquals("append", bashCompletes(script, "palimpsest", "ap"));
        assertEquals(List.of("--user", "--user-file"),
                bashCompletes(script, "palimpsest", "append", "--us").lines().toList());
        assertTrue(bashCompletes(script, "palimpsest", "").lines().toList()
                .containsAll(List.of("append", "transcript", "check", "help", "completion")));
    }

    @Test
    void zshLoadsTheSameScriptThroughBashcompinit() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/zsh")) || Files.isExecutable(
                Path.of("/bin/zsh")), "zsh is not installed (.ci/run installs it)");
        Path script = script("zsh");
        String registered = runShell("zsh", "autoload -U +X compinit && compinit -u; "
                + "source '" + script + "'; print -r -- \"${_comps[palimpsest]}\"").strip();
        assertTrue(registered.contains("_complete_palimpsest"), registered);
    }

    @Test
    void anUnknownShellIsAUsageError() {
        assertTrue(LauncherRun.inRoot(dir, "completion", "fish").expect(2).oneErrorLine()
                .contains("bash and zsh"));
    }
}
