package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
                + "\"compact_timeout_s\": 0}");
        assertEquals(new LauncherConfig(OptionalInt.of(30), OptionalInt.of(10),
                OptionalLong.of(9000), Optional.of("openai"),
                Optional.of(URI.create("http://127.0.0.1:11434/v1")), Optional.of("llama"),
                OptionalLong.of(0)),
                config);
    }

    @Test
    void anEmptyObjectOrNoFileMeansBuiltInDefaults(@TempDir Path root) throws IOException {
        assertEquals(LauncherConfig.NONE, parse("{}"));
        assertEquals(LauncherConfig.NONE, LauncherConfig.read(root));
    }
}
