package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What a new user meets first: typos answered with suggestions, {@code help COMMAND}, every
 * option's default in its help, messages in the user's terms.
 */
class LauncherUsabilityTest {
    @TempDir
    Path root;

    @Test
    void aMistypedCommandIsAnsweredWithTheCommandMeant() {
        String line = LauncherRun.inRoot(root, "apend", "--user", "hi", "boat").expect(2)
                .oneErrorLine();
        assertEquals("palimpsest: unknown command 'apend'; did you mean 'append'? "
                + "(see 'palimpsest --help')", line);
        assertTrue(LauncherRun.inRoot(root, "trnascript", "x").expect(2).oneErrorLine()
                .contains("did you mean 'transcript'?"));
    }

    @Test
    void aMistypedOptionIsNamedAndTheIdIsNotBlamed() {
        String line = LauncherRun.inRoot(root, "append", "--usr", "hi", "boat").expect(2)
                .oneErrorLine();
        assertEquals("palimpsest append: unknown option '--usr'; did you mean '--user'? "
                + "(see 'palimpsest append --help')", line);
        assertTrue(LauncherRun.inRoot(root, "transcript", "--limt=3", "x").expect(2)
                .oneErrorLine().contains("unknown option '--limt'; did you mean '--limit'?"));
        assertTrue(LauncherRun.inRoot(root, "show").expect(2).oneErrorLine()
                .contains("missing ID (the conversation id"));
    }

    @Test
    void helpCommandDescribesACommandAndExitsZero() {
        LauncherRun help = LauncherRun.inRoot(root, "help", "append").expect(0);
        assertTrue(help.out().contains("--compact-timeout"), help.out());
        assertEquals("", help.err());
        assertEquals(help.out(), LauncherRun.inRoot(root, "append", "--help").expect(0).out());
        assertTrue(LauncherRun.inRoot(root, "help").expect(0).out().contains("config.json"));
        assertTrue(LauncherRun.inRoot(root, "help", "apend").expect(2).oneErrorLine()
                .contains("did you mean 'append'?"));
    }

    /** Every option that takes a value says what it is when not given. */
    @Test
    void everyOptionWithAValueShowsItsDefaultInTheHelp() {
        for (Map.Entry<String, Supplier<Subcommand>> command : Launcher.SUBCOMMANDS.entrySet()) {
            CommandSpec spec = command.getValue().get().spec();
            for (OptionSpec option : spec.options()) {
                if (option.arity().max() == 0 || option.usageHelp() || option.versionHelp()) {
                    continue;
                }
                String description = String.join(" ", option.description());
                assertTrue(description.toLowerCase(java.util.Locale.ROOT).contains("default"),
                        command.getKey() + " " + option.longestName() + ": " + description);
            }
        }
    }

    @Test
    void theTopLevelHelpPointsToTheConfigurationFile() {
        String help = LauncherRun.inRoot(root, "--help").expect(0).out();
        assertTrue(help.contains("config.json"), help);
        assertTrue(help.contains("help COMMAND"), help);
    }

    /** The policy's error names the flags and says where the other value came from. */
    @Test
    void anInvalidPolicyNamesItsFlagsAndTheirSources() throws IOException {
        String line = LauncherRun.inRoot(root, "append", "--user", "u", "--keep-rounds", "50",
                "c").expect(2).oneErrorLine();
        assertTrue(line.contains("--keep-rounds 50 must be less than --max-rounds (40, the "
                + "default"), line);
        assertFalse(line.contains("keepRounds"), line);
        Files.writeString(root.resolve("config.json"), "{\"max_rounds\": 10}");
        line = LauncherRun.inRoot(root, "append", "--user", "u", "--keep-rounds", "50", "c")
                .expect(2).oneErrorLine();
        assertTrue(line.contains("must be less than max_rounds 10 in config.json"), line);
    }

    @Test
    void malformedConfigurationIsPlacedAndNamesNoJacksonInternals() throws IOException {
        Files.createDirectories(root);
        Files.writeString(root.resolve("config.json"), "{\"max_rounds\": 1,\n}");
        String line = LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(2)
                .oneErrorLine();
        assertTrue(line.contains("malformed JSON at line 2, column"), line);
        assertFalse(line.contains("REDACTED"), line);
        assertFalse(line.contains("StreamReadFeature"), line);
        Files.writeString(root.resolve("config.json"), "{\"max_round\": 1}");
        line = LauncherRun.inRoot(root, "append", "--user", "u", "c").expect(2).oneErrorLine();
        assertTrue(line.contains("unknown key 'max_round'; did you mean 'max_rounds'?"), line);
    }

    @Test
    void anEmptyRootIsRefusedRatherThanTakenForTheDefault() {
        String line = LauncherRun.with(Map.of(), "", "--root", "", "show", "x").expect(2)
                .oneErrorLine();
        assertTrue(line.contains("--root is empty"), line);
        LauncherRun.with(Map.of(), "", "list", "--root", "").expect(2);
    }

    @Test
    void suggestionsFindNearNamesOnly() {
        List<String> commands = List.copyOf(Launcher.SUBCOMMANDS.keySet());
        assertEquals(List.of("append"), Suggestions.closest("apend", commands));
        assertEquals(List.of("append"), Suggestions.closest("apppend", commands));
        assertEquals(List.of("check"), Suggestions.closest("chekc", commands));
        assertEquals(List.of(), Suggestions.closest("zzz", commands));
        assertEquals(List.of(), Suggestions.closest("x", commands));
    }
}
