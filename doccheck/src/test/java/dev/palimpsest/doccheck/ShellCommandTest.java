package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShellCommandTest {

    @Test
    void aSessionPairsEachCommandWithTheOutputShownAfterIt() {
        List<ShellCommand> commands = ShellCommand.parse("""
                $ palimpsest append --user hi boat
                1
                $ palimpsest show boat      # no output shown
                $ palimpsest list
                ROUNDS ID
                1      boat

                """);
        assertEquals(List.of(
                new ShellCommand(1, "palimpsest append --user hi boat", List.of("1")),
                new ShellCommand(3, "palimpsest show boat      # no output shown", List.of()),
                new ShellCommand(4, "palimpsest list", List.of("ROUNDS ID", "1      boat"))),
                commands);
    }

    @Test
    void aScriptIsOneCommandPerLineWithContinuationsKept() {
        List<ShellCommand> commands = ShellCommand.parse("""
                # build first
                ./mvnw -B verify -pl persist -am \\
                    -Dtest=X
                cli/target/image/bin/palimpsest demo
                """);
        assertEquals(2, commands.size());
        assertEquals("./mvnw -B verify -pl persist -am \\\n    -Dtest=X", commands.get(0).text());
        assertEquals(2, commands.get(0).offset());
        assertEquals(List.of("./mvnw", "-B", "verify", "-pl", "persist", "-am", "-Dtest=X"),
                commands.get(0).stages().get(0));
    }

    @Test
    void outputBeforeTheFirstPromptIsAnError() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ShellCommand.parse("orphan output\n$ palimpsest list\n"));
        assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    }

    @Test
    void stagesSplitAtOperatorsOutsideQuotes() {
        ShellCommand command = new ShellCommand(1, "A=1 echo 'a | b' \"c && d\" | palimpsest "
                + "append --user-file - x && palimpsest list; head -1 # comment | ignored",
                List.of());
        assertEquals(List.of(List.of("A=1", "echo", "a | b", "c && d"),
                List.of("palimpsest", "append", "--user-file", "-", "x"),
                List.of("palimpsest", "list"), List.of("head", "-1")), command.stages());
        assertEquals(Optional.of("echo"), ShellCommand.program(command.stages().get(0)));
        assertEquals(Optional.empty(), ShellCommand.program(List.of("A=1", "B=2")));
    }

    @Test
    void aRedirectionIsPartOfItsStageAndABackgroundJobIsSeen() {
        ShellCommand redirected = new ShellCommand(1, "palimpsest list 2>&1 | head -1 && echo ok",
                List.of());
        assertEquals(List.of(List.of("palimpsest", "list", "2>&1"), List.of("head", "-1"),
                List.of("echo", "ok")), redirected.stages());
        assertFalse(redirected.runsInBackground());
        assertTrue(new ShellCommand(1, "palimpsest demo & echo started", List.of())
                .runsInBackground());
        assertFalse(new ShellCommand(1, "echo 'a & b' | palimpsest append x", List.of())
                .runsInBackground());
    }

    @Test
    void commandSubstitutionIsSeenOutsideSingleQuotesOnly() {
        assertTrue(new ShellCommand(1, "seq=$(palimpsest append x)", List.of())
                .substitutesCommands());
        assertTrue(new ShellCommand(1, "echo \"`date`\"", List.of()).substitutesCommands());
        assertTrue(new ShellCommand(1, "echo \"it's $(date)\"", List.of())
                .substitutesCommands());
        assertFalse(new ShellCommand(1, "echo '$(date)' | palimpsest append x", List.of())
                .substitutesCommands());
    }
}
