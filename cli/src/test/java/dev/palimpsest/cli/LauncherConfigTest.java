package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.store.file.FileStoreOptions;
import dev.palimpsest.summarizer.openai.OpenAiSummarizer.TokenLimitParameter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LauncherConfigTest {
    private static LauncherConfig parse(String json) throws IOException {
        return LauncherConfig.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)),
                Path.of("config.json"));
    }

    @Test
    void everyDocumentedKeyIsRead() throws IOException {
        LauncherConfig config = parse("{\"max_rounds\": 30, \"keep_rounds\": 10, "
                + "\"max_tokens\": 9000, \"summarizer\": \"openai\", "
                + "\"openai_url\": \"http://127.0.0.1:11434/v1\", \"model\": \"llama\", "
                + "\"openai_key_env\": \"MY_KEY\", \"openai_allow_plain_http\": true, "
                + "\"openai_system_prompt\": \"Summarize.\", "
                + "\"openai_headers\": {\"X-Title\": \"t\", \"OpenAI-Project\": \"p\"}, "
                + "\"openai_token_limit_parameter\": \"max_completion_tokens\", "
                + "\"openai_temperature\": null, \"compact_timeout_s\": 0, "
                + "\"checkpoint_every_records\": 1, \"checkpoint_every_bytes\": 65536, "
                + "\"segment_bytes\": 1048576, \"summary_budget\": 900}");
        assertEquals(new LauncherConfig(OptionalInt.of(30), OptionalInt.of(10),
                OptionalLong.of(9000), Optional.of("openai"), OptionalInt.of(900),
                Optional.of(URI.create("http://127.0.0.1:11434/v1")), Optional.of("llama"),
                new LauncherConfig.OpenAiOptions(Optional.of("MY_KEY"), true,
                        Optional.of("Summarize."), Map.of("X-Title", "t", "OpenAI-Project", "p"),
                        Optional.of(TokenLimitParameter.MAX_COMPLETION_TOKENS),
                        Optional.of(java.util.OptionalDouble.empty())),
                OptionalLong.of(0), new FileStoreOptions(1, 65536, 1 << 20,
                        FileStoreOptions.DEFAULTS.preallocateBytes(),
                        FileStoreOptions.DEFAULTS.maxRecordBytes()), Optional.empty(),
                Optional.empty()), config);
        assertEquals(List.of("X-Title", "OpenAI-Project"),
                List.copyOf(config.openai().headers().keySet()), "headers keep the file's order");
    }

    @Test
    void invalidOpenAiKeysAreRejectedNamingTheKey() {
        for (String[] bad : new String[][] {
                {"{\"openai_headers\": [\"X-Title: t\"]}", "'openai_headers' must be an object"},
                {"{\"openai_headers\": {\"X-Retries\": 3}}",
                        "value of 'X-Retries' must be a string"},
                {"{\"openai_headers\": {\"X-A\": \"1\", \"x-a\": \"2\"}}", "'x-a' given twice"},
                {"{\"openai_token_limit_parameter\": \"max_output_tokens\"}",
                        "must be \"max_tokens\" or \"max_completion_tokens\""},
                {"{\"openai_allow_plain_http\": \"yes\"}", "must be true or false"},
                {"{\"openai_system_prompt\": \" \"}", "must not be blank"},
                {"{\"openai_key_env\": 1}", "'openai_key_env' must be a string"},
                {"{\"openai_temperature\": 3}", "'openai_temperature' must be a number from 0"},
                {"{\"openai_api_key\": \"sk-...\"}", "unknown key 'openai_api_key' (known: "}}) {
            CliException e = assertThrows(CliException.class, () -> parse(bad[0]), bad[0]);
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void invalidStoreKeysAreRejectedNamingTheKey() {
        for (String[] bad : new String[][] {
                {"{\"checkpoint_every_records\": 0}",
                        "'checkpoint_every_records' must be at least 1"},
                {"{\"checkpoint_every_bytes\": -5}",
                        "'checkpoint_every_bytes' must be at least 1"},
                {"{\"checkpoint_every_records\": 3000000000}", "at most 2147483647"},
                {"{\"segment_bytes\": 1024}", "invalid store settings: "}}) {
            CliException e = assertThrows(CliException.class, () -> parse(bad[0]), bad[0]);
            assertEquals(ExitCode.USAGE, e.exitCode());
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void theUnknownKeyMessageNamesEveryKey() {
        CliException e = assertThrows(CliException.class, () -> parse("{\"typo\": 1}"));
        for (String key : LauncherConfig.KEYS) {
            assertTrue(e.getMessage().contains(key), e.getMessage());
        }
    }

    @Test
    void anEmptyObjectOrNoFileMeansBuiltInDefaults(@TempDir Path root) throws IOException {
        assertEquals(LauncherConfig.NONE, parse("{}"));
        assertEquals(LauncherConfig.NONE, LauncherConfig.read(root));
    }
}
