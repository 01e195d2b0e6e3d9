package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OutputMatcherTest {

    @Test
    void equalOutputMatchesWhateverTheColumnWidths() {
        assertEquals(Optional.empty(), OutputMatcher.mismatch(List.of("ROUNDS  ID", "1   boat"),
                "ROUNDS ID\n1\tboat  \n\n"));
    }

    @Test
    void aDifferentWordOrAMissingOrExtraLineIsAMismatch() {
        assertTrue(OutputMatcher.mismatch(List.of("deleted 'boat'"), "deleted 'ship'\n")
                .isPresent());
        assertTrue(OutputMatcher.mismatch(List.of("1", "2"), "1\n").isPresent());
        assertTrue(OutputMatcher.mismatch(List.of("1"), "1\nwarning: compaction failed\n")
                .isPresent());
        String report = OutputMatcher.mismatch(List.of("1"), "2\n").orElseThrow();
        assertTrue(report.contains("| 1") && report.contains("| 2"), report);
    }

    @Test
    void placeholdersStandForTheValuesThatVary() {
        List<String> shown = List.of("1 0 <timestamp> boat", "state file <path>");
        for (String stamp : List.of("2026-11-25T19:27:14.341Z", "2026-11-25T19:27:14Z",
                "2026-11-25T19:27:14.341123456Z")) {
            assertEquals(Optional.empty(), OutputMatcher.mismatch(shown,
                    "1 0 " + stamp + " boat\nstate file /tmp/x/sm/conversation-boat.json\n"),
                    stamp);
        }
        assertTrue(OutputMatcher.mismatch(shown, "1 0 yesterday boat\nstate file /x\n")
                .isPresent());
        assertTrue(OutputMatcher.mismatch(shown, "1 0 2026-11-25T19:27:14Z boat\nstate file\n")
                .isPresent(), "a placeholder stands for something, never for nothing");
        assertTrue(OutputMatcher.mismatch(List.of("a.b"), "axb\n").isPresent(),
                "the rest of a line is literal text, not a pattern");
    }

    @Test
    void aLineOfThreeDotsStandsForAnyNumberOfLines() {
        List<String> shown = List.of("Replaying 14 rounds", "...", "done");
        assertEquals(Optional.empty(), OutputMatcher.mismatch(shown,
                "Replaying 14 rounds\ndone\n"));
        assertEquals(Optional.empty(), OutputMatcher.mismatch(shown,
                "Replaying 14 rounds\na\nb\nc\ndone\n"));
        assertTrue(OutputMatcher.mismatch(shown, "Replaying 14 rounds\na\n").isPresent());
    }
}
