package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code search}, {@code context --query --budget}, and {@code delete} of an indexed conversation. */
class RecallCommandsTest {
    @TempDir
    Path root;

    private void converse() {
        LauncherRun.inRoot(root, "append", "--user", "what port does staging use?",
                "--assistant", "The staging database port is 5433.", "c").expect(0);
        for (int i = 2; i <= 30; i++) {
            LauncherRun.inRoot(root, "append", "--user", "small talk " + i, "--assistant",
                    "reply " + i, "c").expect(0);
        }
        LauncherRun.inRoot(root, "append", "--user", "the staging rollout is friday", "other")
                .expect(0);
    }

    @Test
    void searchFindsMessagesInOneConversationOrAll() throws IOException {
        converse();
        String one = LauncherRun.inRoot(root, "search", "c", "staging port").expect(0).out();
        List<String> lines = one.lines().toList();
        assertEquals(2, lines.size(), one);
        assertTrue(lines.get(0).startsWith("'c' round 1 seq "), one);
        assertTrue(one.contains("5433"), one);

        String all = LauncherRun.inRoot(root, "search", "staging").expect(0).out();
        assertTrue(all.contains("'other' round 1 seq 1"), all);
        assertTrue(all.contains("'c' round 1"), all);

        String json = LauncherRun.inRoot(root, "search", "--json", "--limit", "1", "c",
                "database port").expect(0).out();
        List<String> convIds = fieldValues(json, "conv_id");
        assertEquals(List.of("c"), convIds);
        assertEquals(List.of("2"), fieldValues(json, "seq"));
        assertEquals(List.of("The staging database port is 5433."),
                fieldValues(json, "content"));
        assertTrue(Files.isDirectory(root.resolve("recall").resolve("index")));
    }

    private static List<String> fieldValues(String json, String field) throws IOException {
        List<String> out = new ArrayList<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                if (t == JsonToken.FIELD_NAME && p.currentName().equals(field)) {
                    p.nextToken();
                    out.add(p.getText());
                }
            }
        }
        return out;
    }

    @Test
    void searchSaysWhenNothingMatchesAndRefusesBadArguments() {
        converse();
        assertEquals("no message matches 'zeppelin'\n",
                LauncherRun.inRoot(root, "search", "zeppelin").expect(0).out());
        assertTrue(LauncherRun.inRoot(root, "search", "never", "staging").expect(3)
                .oneErrorLine().contains("no such conversation"));
        assertTrue(LauncherRun.inRoot(root, "search", "--limit", "0", "staging").expect(2)
                .oneErrorLine().contains("--limit"));
        assertTrue(LauncherRun.inRoot(root, "search", "c", " ").expect(2)
                .oneErrorLine().contains("words"));
        LauncherRun.inRoot(root, "search").expect(2);
        // No root at all: nothing to find, and nothing created.
        Path none = root.resolve("none");
        assertEquals("no message matches 'x'\n",
                LauncherRun.inRoot(none, "search", "x").expect(0).out());
        assertFalse(Files.exists(none));
    }

    @Test
    void contextWithAQueryRecallsAnEarlyRoundWithinTheBudget() {
        converse();
        String text = LauncherRun.inRoot(root, "context", "--query", "staging database port",
                "--budget", "300", "c").expect(0).out();
        assertTrue(text.startsWith("[recalled round 1, "), text);
        assertTrue(text.contains("The staging database port is 5433."), text);
        assertTrue(text.contains("[round 30]"), "the newest round stays: " + text);
        assertFalse(text.contains("[round 2]"), "old small talk does not fit: " + text);

        String messages = LauncherRun.inRoot(root, "context", "--format", "messages",
                "--query", "staging database port", "--budget", "300", "c").expect(0).out();
        assertTrue(messages.contains("\"role\" : \"system\",\n  \"content\" : \"Recalled from"),
                messages);

        String unbudgeted = LauncherRun.inRoot(root, "context", "c").expect(0).out();
        assertTrue(unbudgeted.contains("[round 1]"), "without a query, all recent rounds");
        String budgeted = LauncherRun.inRoot(root, "context", "--budget", "100", "c").expect(0)
                .out();
        assertFalse(budgeted.contains("[round 1]"), budgeted);
        assertFalse(budgeted.contains("recalled"), budgeted);
        LauncherRun.inRoot(root, "context", "--budget", "0", "c").expect(2);
        LauncherRun.inRoot(root, "context", "--query", "", "c").expect(2);
    }

    @Test
    void deleteErasesTheConversationFromTheIndex() {
        converse();
        assertTrue(LauncherRun.inRoot(root, "search", "5433").expect(0).out().contains("'c'"));
        LauncherRun.inRoot(root, "delete", "c").expect(0);
        assertEquals("no message matches '5433'\n",
                LauncherRun.inRoot(root, "search", "5433").expect(0).out());
        LauncherRun.inRoot(root, "delete", "c").expect(3);
        LauncherRun.inRoot(root, "append", "--user", "new life", "c").expect(0);
        assertEquals("no message matches '5433'\n",
                LauncherRun.inRoot(root, "search", "c", "5433").expect(0).out());
    }
}
