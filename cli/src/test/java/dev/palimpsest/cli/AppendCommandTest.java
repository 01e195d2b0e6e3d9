package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.StoredMessage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AppendCommandTest {
    @TempDir
    Path root;

    private ConversationState stored(String convId) {
        return Stored.state(root, convId);
    }

    @Test
    void stdoutIsExactlyTheSequenceNumberAndANewline() {
        LauncherRun first = LauncherRun.inRoot(root, "append", "--user", "hi", "--assistant",
                "hello", "c1").expect(0);
        assertEquals("1\n", first.out());
        assertEquals("", first.err());
        assertEquals("2\n", LauncherRun.inRoot(root, "append", "--user", "again", "c1")
                .expect(0).out());
        ConversationState state = stored("c1");
        assertEquals(2, state.counters().roundsTotal());
        assertEquals("hi", Stored.user(state.recentRounds().get(0)));
        assertEquals("hello", Stored.assistant(state.recentRounds().get(0)));
        assertEquals("", Stored.assistant(state.recentRounds().get(1)));
    }

    @Test
    void aTextOrMetadataThatLooksLikeAnOptionIsTakenAsTheValue() {
        // Found by GeneratedRoundTripTest: a metadata key starting with "-h" read as --help.
        LauncherRun.inRoot(root, "append", "--user", "-h is the help flag", "--assistant",
                "--version too", "--meta", "-hx=-V", "c-opt").expect(0);
        String out = LauncherRun.inRoot(root, "transcript", "--jsonl", "c-opt").expect(0).out();
        assertTrue(out.contains("\"-h is the help flag\""), out);
        assertTrue(out.contains("\"--version too\""), out);
        assertTrue(out.contains("-hx") && out.contains("\"-V\""), out);
    }

    @Test
    void textsComeFromFilesAndOneFromStandardInput() throws IOException {
        Path userFile = root.resolve("user.txt");
        Files.writeString(userFile, "from a file\nsecond line ✓", StandardCharsets.UTF_8);
        LauncherRun.with(Map.of(), "from stdin 🌊", "--root", root.toString(), "append",
                "--user-file", userFile.toString(), "--assistant-file", "-", "c").expect(0);
        LauncherRun.with(Map.of(), "user via stdin", "--root", root.toString(), "append",
                "--user-file", "-", "--assistant", "typed", "c").expect(0);
        ConversationState state = stored("c");
        assertEquals("from a file\nsecond line ✓", Stored.user(state.recentRounds().get(0)));
        assertEquals("from stdin 🌊", Stored.assistant(state.recentRounds().get(0)));
        assertEquals("user via stdin", Stored.user(state.recentRounds().get(1)));
    }

    @Test
    void conflictingOrMissingTextSourcesAreUsageErrors() {
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "a", "--user-file", "x", "c")
                .expect(2).oneErrorLine().contains("not both"));
        LauncherRun.inRoot(root, "append", "--assistant", "a", "--assistant-file", "x", "c")
                .expect(2);
        assertTrue(LauncherRun.inRoot(root, "append", "c").expect(2).oneErrorLine()
                .contains("a round needs"));
        assertTrue(LauncherRun.inRoot(root, "append", "--user-file", "-", "--assistant-file",
                "-", "c").expect(2).oneErrorLine().contains("standard input"));
        LauncherRun.inRoot(root, "append", "--user", "a").expect(2);
        assertEquals(0, stored("c").revision(), "nothing may be stored after a usage error");
    }

    @Test
    void unreadableInputFilesAreRejectedWithoutWriting() throws IOException {
        String missing = LauncherRun.inRoot(root, "append", "--user-file",
                root.resolve("absent.txt").toString(), "c").expect(2).oneErrorLine();
        assertTrue(missing.contains("no such input file"), missing);
        Path latin1 = root.resolve("latin1.txt");
        Files.write(latin1, new byte[] {'c', 'a', 'f', (byte) 0xE9});
        String invalid = LauncherRun.inRoot(root, "append", "--user-file", latin1.toString(),
                "c").expect(2).oneErrorLine();
        assertTrue(invalid.contains("not valid UTF-8"), invalid);
        assertEquals(0, stored("c").revision());
    }

    @Test
    void metadataIsRepeatableAndStrict() {
        LauncherRun.inRoot(root, "append", "--user", "u", "--meta", "model=gpt=x", "--meta",
                "tokens=12", "--meta", "empty=", "c").expect(0);
        assertEquals(Map.of("model", "gpt=x", "tokens", "12", "empty", ""),
                Stored.meta(stored("c").recentRounds().get(0)));
        LauncherRun.inRoot(root, "append", "--user", "u", "--meta", "novalue", "c").expect(2);
        LauncherRun.inRoot(root, "append", "--user", "u", "--meta", "=v", "c").expect(2);
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "--meta", "k=1", "--meta",
                "k=2", "c").expect(2).oneErrorLine().contains("given twice"));
        assertEquals(1, stored("c").counters().roundsTotal());
    }

    @Test
    void expectSeqMakesARetryIdempotentAndReportsConflicts() {
        LauncherRun.inRoot(root, "append", "--user", "u1", "--expect-seq", "1", "c").expect(0);
        assertEquals("1\n", LauncherRun.inRoot(root, "append", "--user", "u1", "--expect-seq",
                "1", "c").expect(0).out(), "a retry of the same round prints its number again");
        assertEquals(1, stored("c").counters().roundsTotal());
        String conflict = LauncherRun.inRoot(root, "append", "--user", "other", "--expect-seq",
                "1", "c").expect(5).oneErrorLine();
        assertTrue(conflict.contains("'c'"), conflict);
        LauncherRun.inRoot(root, "append", "--user", "u3", "--expect-seq", "3", "c").expect(5);
        LauncherRun.inRoot(root, "append", "--user", "u", "--expect-seq", "0", "c").expect(2);
        LauncherRun.inRoot(root, "append", "--user", "u", "--expect-seq", "x", "c").expect(2);
        assertEquals(1, stored("c").counters().roundsTotal());
    }

    @Test
    void policyFlagsCompactAndOverrideTheConfigFile() throws IOException {
        Files.writeString(root.resolve("config.json"),
                "{\"max_rounds\": 3, \"keep_rounds\": 1, \"max_tokens\": 100000}");
        for (int i = 1; i <= 4; i++) {
            LauncherRun.inRoot(root, "append", "--user", "u" + i, "c").expect(0);
        }
        // The fourth round exceeded max_rounds 3: all but keep_rounds 1 were compacted.
        assertEquals(3, stored("c").counters().compactedRounds());
        for (int i = 1; i <= 4; i++) {
            LauncherRun.inRoot(root, "append", "--user", "v" + i, "--max-rounds", "10",
                    "--keep-rounds", "2", "d").expect(0);
        }
        assertEquals(0, stored("d").counters().compactedRounds(), "the flag overrides the file");
        LauncherRun.inRoot(root, "append", "--user", "u", "--max-tokens", "1", "--keep-rounds",
                "1", "e").expect(0);
        LauncherRun.inRoot(root, "append", "--user", "u", "--max-tokens", "1", "--keep-rounds",
                "1", "e").expect(0);
        assertEquals(1, stored("e").counters().compactedRounds(), "over the token budget");
    }

    @Test
    void invalidPoliciesAndSummarizersAreUsageErrors() {
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "--max-rounds", "2",
                "--keep-rounds", "2", "c").expect(2).oneErrorLine()
                .contains("--keep-rounds 2 must be less than --max-rounds 2"));
        LauncherRun.inRoot(root, "append", "--user", "u", "--max-tokens", "0", "c").expect(2);
        LauncherRun.inRoot(root, "append", "--user", "u", "--max-rounds", "x", "c").expect(2);
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "--summarizer", "magic",
                "c").expect(2).oneErrorLine().contains("unknown summarizer"));
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", "--summarizer", "openai",
                "c").expect(2).oneErrorLine().contains("model"));
        LauncherRun.inRoot(root, "append", "--user", "u", "--summarizer", "openai", "--model",
                "m", "--openai-url", "ftp://example/v1", "c").expect(2);
        assertEquals(0, stored("c").revision());
    }

    @Test
    void aFailedCompactionIsAWarningAndTheRoundStays() throws IOException {
        try (LoopbackHttpServer server = new LoopbackHttpServer(401, "Unauthorized")) {
            Map<String, String> env = Map.of("OPENAI_API_KEY", "test-key");
            String[] common = {"--root", root.toString(), "append", "--summarizer", "openai",
                    "--openai-url", server.baseUrl().toString(), "--model", "test-model",
                    "--max-rounds", "2", "--keep-rounds", "1"};
            for (int i = 1; i <= 2; i++) {
                LauncherRun.with(env, "", concat(common, "--user", "u" + i, "c")).expect(0);
            }
            LauncherRun third = LauncherRun.with(env, "", concat(common, "--user", "u3", "c"))
                    .expect(0);
            assertEquals("3\n", third.out());
            String warning = third.oneErrorLine();
            assertTrue(warning.contains("warning") && warning.contains("'c'"), warning);
            assertTrue(server.requests() >= 1, "the summarizer must have been asked");
        }
        ConversationState state = stored("c");
        assertEquals(3, state.recentRounds().size());
        assertEquals(1, state.counters().compactionFailures());
    }

    @Test
    void rejectedIdsAreUsageErrorsNamingTheId() {
        LauncherRun.inRoot(root, "append", "--user", "u", "").expect(2);
        String tooLong = "x".repeat(1025);
        assertTrue(LauncherRun.inRoot(root, "append", "--user", "u", tooLong).expect(2)
                .oneErrorLine().contains("conversation id is longer than"));
    }

    @Test
    void unicodeIdsAndTextsRoundTrip() {
        String id = "Ωmega-会話-🚀";
        String text = "naïve café — 日本語 — \uD83D\uDE00";
        LauncherRun.inRoot(root, "append", "--user", text, "--assistant", text, "--", id)
                .expect(0);
        ConversationState state = stored(id);
        assertEquals(id, state.convId());
        assertEquals(text, Stored.user(state.recentRounds().get(0)));
    }

    @Test
    void messagesAppendARoundWithToolCallsInTheOpenAiFormat() throws IOException {
        Path round = root.resolve("round.json");
        Files.writeString(round, "[{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + "{\"role\": \"user\", \"content\": \"Weather in Paris?\", \"id\": \"m1\"},"
                + "{\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": "
                + "\"call_1\", \"type\": \"function\", \"function\": {\"name\": "
                + "\"weather\", \"arguments\": \"{\\\"city\\\": \\\"Paris\\\"}\"}}]},"
                + "{\"role\": \"tool\", \"tool_call_id\": \"call_1\", \"name\": \"weather\","
                + " \"content\": \"18 C\"},"
                + "{\"role\": \"assistant\", \"content\": \"18 C and sunny.\", "
                + "\"metadata\": {\"model\": \"m\"}}]", StandardCharsets.UTF_8);
        assertEquals("1\n", LauncherRun.inRoot(root, "append", "--messages", round.toString(),
                "--meta", "source=test", "c").expect(0).out());
        List<StoredMessage> messages = Stored.messages(root, "c");
        assertEquals(5, messages.size());
        assertEquals(List.of(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.TOOL, Role.ASSISTANT),
                messages.stream().map(StoredMessage::role).toList());
        assertEquals(Map.of("source", "test"), messages.get(0).message().metadata());
        assertEquals("m1", messages.get(1).message().id().orElseThrow());
        assertEquals("weather", messages.get(2).message().toolCalls().get(0).name());
        assertEquals("{\"city\": \"Paris\"}",
                messages.get(2).message().toolCalls().get(0).arguments());
        assertEquals("call_1", messages.get(3).message().toolCallId().orElseThrow());
        assertEquals(Map.of("model", "m"), messages.get(4).message().metadata());
        // A message with an id appended again with equal content is answered with the stored
        // one: the retry after a lost acknowledgement appends nothing.
        String json = "[{\"role\": \"user\", \"content\": \"again\", \"id\": \"m2\"}]";
        assertEquals("2\n", LauncherRun.with(Map.of(), json, "--root", root.toString(),
                "append", "--messages", "-", "c").expect(0).out());
        assertEquals("2\n", LauncherRun.with(Map.of(), json, "--root", root.toString(),
                "append", "--messages", "-", "c").expect(0).out(), "a retry appends nothing");
        assertEquals(6, Stored.messages(root, "c").size());
    }

    @Test
    void badMessagesAreUsageErrorsNamingWhatFailed() {
        String[][] cases = {
            {"{\"role\": \"user\"}", "JSON array"},
            {"[{\"role\": \"robot\", \"content\": \"x\"}]", "\"role\" must be system"},
            {"[{\"role\": \"user\", \"content\": \"x\", \"colour\": 1}]",
                "unknown field \"colour\""},
            {"[{\"role\": \"tool\", \"content\": \"x\"}]", "message 1"},
            {"[{\"role\": \"user\", \"content\": 5}]", "\"content\" must be a string"},
            {"[]", "holds no message"},
            {"[{\"role\": \"user\", \"content\": \"x\"}", "not valid JSON"},
        };
        for (String[] bad : cases) {
            String error = LauncherRun.with(Map.of(), bad[0], "--root", root.toString(),
                    "append", "--messages", "-", "c").expect(2).oneErrorLine();
            assertTrue(error.contains(bad[1]), bad[0] + " -> " + error);
        }
        assertTrue(LauncherRun.inRoot(root, "append", "--messages", "-", "--user", "u", "c")
                .expect(2).oneErrorLine().contains("not both"));
        assertEquals(0, stored("c").revision());
    }

    static String[] concat(String[] head, String... tail) {
        String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
