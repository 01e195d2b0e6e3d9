package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DemoCommandTest {
    @TempDir
    Path root;

    @Test
    void demoReplaysTheDialogueWithCompactionsAndSaysWhereItsFilesAre() {
        int rounds = DemoDialogue.load().size();
        String out = LauncherRun.inRoot(root, "demo").expect(0).out();
        assertTrue(out.contains("compaction committed"), out);
        assertTrue(out.contains("root:   " + root.toAbsolutePath()), out);
        assertTrue(out.contains("Files: "), out);
        try (FileConversationStore store = FileConversationStore.open(root)) {
            ConversationState demo = store.load("demo").orElseThrow();
            assertEquals(rounds, demo.counters().roundsTotal());
            assertTrue(demo.counters().compactions() >= 2, "a small window compacts often");
            assertTrue(out.contains(store.checkpointFile("demo").toString()), out);
        }
        String again = LauncherRun.inRoot(root, "demo").expect(0).out();
        assertTrue(again.contains("conversation 'demo-2'"), "an existing demo is never reused");
    }

    @Test
    void theBundledDialogueAlternatesUserAndAssistant() throws Exception {
        List<DemoDialogue.Turn> rounds = DemoDialogue.load();
        assertTrue(rounds.size() >= 10, "enough rounds for several compactions");
        for (DemoDialogue.Turn round : rounds) {
            assertTrue(!round.user().isBlank() && !round.assistant().isBlank());
        }
        List<DemoDialogue.Turn> parsed = DemoDialogue.parse(new BufferedReader(new StringReader(
                "# c\nuser: u\nassistant: a\n\nuser: v\nassistant: b\n")));
        assertEquals(List.of(new DemoDialogue.Turn("u", "a"), new DemoDialogue.Turn("v", "b")),
                parsed);
        for (String broken : List.of("assistant: a\n", "user: u\nuser: v\n", "user: u\n",
                "prose\n")) {
            try {
                DemoDialogue.parse(new BufferedReader(new StringReader(broken)));
                throw new AssertionError("accepted: " + broken);
            } catch (IllegalStateException expected) {
                assertTrue(expected.getMessage().contains(DemoDialogue.RESOURCE));
            }
        }
    }
}
