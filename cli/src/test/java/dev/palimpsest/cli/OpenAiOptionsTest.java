package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAI summarizer's flags and {@code config.json} keys, through the launcher: where the
 * base URL and the key come from, when the key may not travel, what reaches the server, and
 * what a user reads when the server cannot be reached. Every server is on loopback; the
 * non-loopback address 192.0.2.7 (TEST-NET-1) is only ever refused, never contacted.
 */
class OpenAiOptionsTest {
    private static final String REMOTE = "http://192.0.2.7:11434/v1";

    @TempDir
    Path root;

    private LauncherRun append(Map<String, String> env, String convId, String... options) {
        List<String> args = new ArrayList<>(List.of("--root", root.toString(), "append",
                "--user", "u", "--summarizer", "openai", "--model", "m"));
        args.addAll(List.of(options));
        args.add(convId);
        return LauncherRun.with(env, "", args.toArray(String[]::new));
    }

    /** Appends three rounds with a window of two, so that the third compacts. */
    private LauncherRun compactingThird(Map<String, String> env, String convId,
                                        String... options) {
        List<String> all = new ArrayList<>(List.of("--max-rounds", "2", "--keep-rounds", "1"));
        all.addAll(List.of(options));
        String[] args = all.toArray(String[]::new);
        append(env, convId, args).expect(0);
        append(env, convId, args).expect(0);
        return append(env, convId, args).expect(0);
    }

    private void config(String json) throws IOException {
        Files.writeString(root.resolve(LauncherConfig.FILE_NAME), json);
    }

    @Test
    void aKeyIsNotSentOverPlainHttpToAnotherHostUnlessAllowed() throws IOException {
        Map<String, String> withKey = Map.of("OPENAI_API_KEY", "sk-do-not-leak");
        String line = append(withKey, "c", "--openai-url", REMOTE).expect(2).oneErrorLine();
        assertTrue(line.contains("refusing to send the API key from $OPENAI_API_KEY over plain "
                + "HTTP to 192.0.2.7"), line);
        assertTrue(line.contains("--openai-allow-plain-http")
                && line.contains("\"openai_allow_plain_http\": true"), line);
        assertFalse(line.contains("sk-do-not-leak"), line);
        LauncherRun.inRoot(root, "show", "c").expect(3);

        // $OPENAI_BASE_URL is held to the same rule.
        append(Map.of("OPENAI_API_KEY", "sk-x", "OPENAI_BASE_URL", REMOTE), "c").expect(2);
        LauncherRun.inRoot(root, "show", "c").expect(3);

        // Allowed by the flag or the file; no key, nothing to protect. No compaction is due, so
        // none of these appends sends anything.
        assertEquals("1\n", append(withKey, "c", "--openai-url", REMOTE,
                "--openai-allow-plain-http").expect(0).out());
        assertEquals("2\n", append(Map.of(), "c", "--openai-url", REMOTE).expect(0).out());
        assertEquals("3\n", append(withKey, "c", "--openai-url", REMOTE, "--openai-key-env",
                "UNSET_VARIABLE").expect(0).out());
        config("{\"openai_allow_plain_http\": true}");
        assertEquals("4\n", append(withKey, "c", "--openai-url", REMOTE).expect(0).out());
    }

    @Test
    void theBaseUrlComesFromTheFlagElseTheFileElseOpenAiBaseUrl() throws IOException {
        try (LoopbackHttpServer fromEnv = new LoopbackHttpServer(401, "Unauthorized");
             LoopbackHttpServer fromFlag = new LoopbackHttpServer(401, "Unauthorized")) {
            Map<String, String> env = Map.of("OPENAI_BASE_URL", fromEnv.baseUrl().toString());
            compactingThird(env, "a");
            assertEquals(1, fromEnv.requests(), "$OPENAI_BASE_URL is honoured");
            compactingThird(env, "b", "--openai-url", fromFlag.baseUrl().toString());
            assertEquals(1, fromFlag.requests(), "the flag beats the variable");
            config("{\"openai_url\": \"" + fromFlag.baseUrl() + "\"}");
            compactingThird(env, "c");
            assertEquals(2, fromFlag.requests(), "the file beats the variable");
            assertEquals(1, fromEnv.requests());
        }
    }

    @Test
    void theKeysVariableIsChosenByFlagOrFile() throws IOException {
        try (LoopbackHttpServer server = new LoopbackHttpServer(401, "Unauthorized")) {
            String url = server.baseUrl().toString();
            Map<String, String> env = Map.of("OPENAI_API_KEY", "sk-default", "MY_KEY", "sk-mine",
                    "FILE_KEY", "sk-file");
            compactingThird(env, "a", "--openai-url", url);
            assertTrue(server.lastRequest().contains("Authorization: Bearer sk-default\r\n"),
                    server.lastRequest());
            compactingThird(env, "b", "--openai-url", url, "--openai-key-env", "MY_KEY");
            assertTrue(server.lastRequest().contains("Authorization: Bearer sk-mine\r\n"),
                    server.lastRequest());
            config("{\"openai_key_env\": \"FILE_KEY\"}");
            compactingThird(env, "c", "--openai-url", url);
            assertTrue(server.lastRequest().contains("Authorization: Bearer sk-file\r\n"),
                    server.lastRequest());
            append(env, "d", "--openai-key-env", "").expect(2);
        }
    }

    @Test
    void thePromptTheHeadersAndTheTokenLimitParameterFromTheFileReachTheServer()
            throws IOException {
        try (LoopbackHttpServer server = new LoopbackHttpServer(401, "Unauthorized")) {
            config("{\"openai_url\": \"" + server.baseUrl() + "\", "
                    + "\"openai_system_prompt\": \"Summarize in one sentence.\", "
                    + "\"openai_headers\": {\"X-Title\": \"palimpsest\", "
                    + "\"OpenAI-Project\": \"proj-1\"}, "
                    + "\"openai_token_limit_parameter\": \"max_completion_tokens\"}");
            compactingThird(Map.of(), "c");
            String request = server.lastRequest();
            assertTrue(request.contains("X-Title: palimpsest\r\n"), request);
            assertTrue(request.contains("OpenAI-Project: proj-1\r\n"), request);
            assertTrue(request.contains("\"content\":\"Summarize in one sentence.\""), request);
            assertTrue(request.contains("\"max_completion_tokens\":1024"), request);
            assertFalse(request.contains("\"max_tokens\""), request);
        }
    }

    @Test
    void aHeaderTheClientControlsIsRefusedNamingTheKey() throws IOException {
        config("{\"openai_headers\": {\"Authorization\": \"Bearer sk-x\"}}");
        String line = append(Map.of(), "c").expect(2).oneErrorLine();
        assertTrue(line.contains("invalid \"openai_headers\" in config.json: header "
                + "'Authorization' carries the API key"), line);
        config("{\"openai_headers\": {\"Host\": \"example.com\"}}");
        assertTrue(append(Map.of(), "c").expect(2).oneErrorLine().contains("'Host'"));
        LauncherRun.inRoot(root, "show", "c").expect(3);
    }

    @Test
    void anUnreachableServerIsReportedInTheUsersTerms() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v1";
        String warning = compactingThird(Map.of(), "c", "--openai-url", url).oneErrorLine();
        assertTrue(warning.contains("connection refused by " + url + "/chat/completions: check "
                + "that the server is running"), warning);
        String failed = LauncherRun.with(Map.of(), "", "--root", root.toString(), "compact",
                "--keep-rounds", "1", "--summarizer", "openai", "--model", "m", "--openai-url",
                url, "c").expect(7).oneErrorLine();
        assertTrue(failed.contains("connection refused by " + url + "/chat/completions"), failed);
        for (String line : List.of(warning, failed)) {
            assertFalse(line.contains("java.") || line.contains("Exception"), line);
        }
    }
}
