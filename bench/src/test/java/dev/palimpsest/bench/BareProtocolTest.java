package dev.palimpsest.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BareProtocolTest {

    @Test
    void replaceLeavesExactlyTheNewBytesAndNoTempFile(@TempDir Path dir) throws Exception {
        BareProtocol.replace(dir, "state.json", "old".getBytes(StandardCharsets.UTF_8), true, true);
        byte[] fresh = TypicalState.text(3, 5000).getBytes(StandardCharsets.UTF_8);
        BareProtocol.replace(dir, "state.json", fresh, true, true);

        assertArrayEquals(fresh, Files.readAllBytes(dir.resolve("state.json")));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("state.json")), files.toList());
        }
    }
}
