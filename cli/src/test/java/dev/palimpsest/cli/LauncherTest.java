package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every command shares: the root, help and version, usage errors, ids, config.json. */
class LauncherTest {
    @TempDir
    Path root;

    private long roundsIn(Path dataRoot, String convId) {
        return Stored.state(dataRoot, convId).counters().roundsTotal();
    }

    @Test
    void rootIsAcceptedBeforeOrAfterTheSubcommand() {
        LauncherRun.with(Map.of(), "", "--root", root.toString(), "append", "--user", "a", "c")
                .expect(0);
        LauncherRun.with(Map.of(), "", "append", "--user", "b", "--root", root.toString(), "c")
                .expect(0);
        LauncherRun.with(Map.of(), "", "append", "--user", "c", "c", "--root", root.toString())
                .expect(0);
        assertEquals(3, roundsIn(root, "c"));
    }

    @Test
    void rootDefaultsToPalimpsestHome() {
        LauncherRun.with(Map.of("PALIMPSEST_HOME", root.toString()), "", "append", "--user", "a",
                "c").expect(0);
        assertEquals(1, roundsIn(root, "c"));
        Path other = root.resolve("other");
        LauncherRun.with(Map.of("PALIMPSEST_HOME", root.toString()), "", "--root",
                other.toString(), "append", "--user", "a", "c").expect(0);
        assertEquals(1, roundsIn(other, "c"), "--root overrides $PALIMPSEST_HOME");
        assertEquals(1, roundsIn(root, "c"));
    }

    @Test
    void doubleDashEndsOptionsSoAnIdMayStartWithADash() {
        LauncherRun.inRoot(root, "append", "--user", "a", "--", "-dash").expect(0);
        LauncherRun.inRoot(root, "append", "--user", "b", "--", "--root").expect(0);
        assertEquals(1, roundsIn(root, "-dash"));
        assertEquals(1, roundsIn(root, "--root"));
        assertTrue(LauncherRun.inRoot(root, "show", "--", "-dash").expect(0).out()
                .contains("'-dash'"));
        LauncherRun.inRoot(root, "show", "-dash").expect(2);
    }

    @Test
    void atSignArgumentsAreIdsNotFiles() throws IOException {
        Path argsFile = root.resolve("args");
        Files.writeString(argsFile, "list\n");
        LauncherRun.inRoot(root, "append", "--user", "@" + argsFile, "@" + argsFile).expect(0);
        assertEquals(1, roundsIn(root, "@" + argsFile));
        assertEquals("@" + argsFile,
                Stored.user(Stored.state(root, "@" + argsFile).recentRounds().get(0)));
    }

    @Test
    void versionAndHelpExitZero() {
        String version = LauncherRun.with(Map.of(), "", "--version").expect(0).out();
        assertTrue(version.startsWith("palimpsest "), version);
        String help = LauncherRun.with(Map.of(), "", "--help").expect(0).out();
        for (String command : Launcher.SUBCOMMANDS.keySet()) {
            assertTrue(help.contains("  " + command + " "), command + " missing from:\n" + help);
            String commandHelp = LauncherRun.with(Map.of(), "", command, "--help").expect(0).out();
            assertTrue(commandHelp.startsWith("Usage: palimpsest " + command), commandHelp);
        }
        assertTrue(LauncherRun.with(Map.of(), "", "append", "--help").expect(0).out()
                .contains("--expect-seq"));
    }

    @Test
    void usageErrorsExitTwoWithOneLine() {
        assertTrue(LauncherRun.with(Map.of(), "").expect(2).err().contains("Usage:"));
        String unknown = LauncherRun.inRoot(root, "shwo", "c").expect(2).oneErrorLine();
        assertTrue(unknown.contains("shwo"), unknown);
        LauncherRun.inRoot(root, "show").expect(2).oneErrorLine();
        LauncherRun.inRoot(root, "show", "a", "b").expect(2).oneErrorLine();
        LauncherRun.inRoot(root, "list", "--bogus").expect(2).oneErrorLine();
    }

    @Test
    void failuresPrintAStackTraceOnlyWithDebug() throws IOException {
        LauncherRun.inRoot(root, "append", "--user", "a", "c").expect(0);
        LauncherRun.inRoot(root, "append", "--user", "b", "c").expect(0);
        Stored.damageLog(root, "c", "\"a\"");
        LauncherRun quiet = LauncherRun.inRoot(root, "show", "c").expect(4);
        quiet.oneErrorLine();
        LauncherRun loud = LauncherRun.inRoot(root, "--debug", "show", "c").expect(4);
        assertTrue(loud.err().contains("\tat "), loud.err());
        assertTrue(LauncherRun.inRoot(root, "show", "--debug", "c").expect(4).err()
                .contains("\tat "), "--debug after the subcommand works too");
    }

    @Test
    void anUnusableConfigFileIsAUsageError() throws IOException {
        Path config = root.resolve("config.json");
        for (String bad : List.of("{\"max_round\": 3}", "{\"max_rounds\": \"3\"}", "[1]",
                "{\"max_rounds\": 3", "{\"summarizer\": \"gpt\"}", "{\"a\":1}{}",
                "{\"max_rounds\": 3, \"max_rounds\": 4}", "{\"max_rounds\": 99999999999}")) {
            Files.writeString(config, bad);
            String line = LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(2)
                    .oneErrorLine();
            assertTrue(line.contains("config.json"), bad + " -> " + line);
        }
        assertEquals(0, roundsIn(root, "c"));
    }

    @Test
    void aFailedWriteToStandardOutputIsAnIoError() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("No space left on device");
            }
        };
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Terminal terminal = new Terminal(new PrintStream(broken, false,
                StandardCharsets.UTF_8), new PrintStream(err, true,
                StandardCharsets.UTF_8), InputStream.nullInputStream(),
                Map.of());
        assertEquals(ExitCode.IO, Launcher.run(terminal, "--root", root.toString(), "append",
                "--user", "u", "c"));
        assertTrue(err.toString(StandardCharsets.UTF_8)
                .contains("standard output"));
        assertEquals(1, roundsIn(root, "c"), "the round itself was saved");
    }

    @Test
    void errorLinesEscapeControlCharactersInIds() {
        String line = LauncherRun.inRoot(root, "show", "two\nlines").expect(3).oneErrorLine();
        assertTrue(line.contains("'two\\nlines'"), line);
    }

    @Test
    void onlyTheNamedSubcommandIsBuilt() {
        assertEquals("show", Launcher.subcommandNamed(new String[] {"--root", "list", "show"}));
        assertEquals("append", Launcher.subcommandNamed(
                new String[] {"--debug", "append", "--user", "show", "list"}));
        assertNull(Launcher.subcommandNamed(new String[] {"--help"}));
        assertNull(Launcher.subcommandNamed(new String[] {"shwo", "show"}));
        assertNull(Launcher.subcommandNamed(new String[] {"--", "show"}));
        assertFalse(Launcher.SUBCOMMANDS.isEmpty());
    }
}
