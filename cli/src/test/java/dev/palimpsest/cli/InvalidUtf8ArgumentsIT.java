package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arguments are decoded strictly: the ids {@code $'\xff'} and {@code $'\xfe'}, which the JVM
 * turns into the same U+FFFD, are refused (exit 2) instead of naming one conversation, under a
 * UTF-8 locale and under none.
 */
class InvalidUtf8ArgumentsIT {
    @TempDir
    Path root;

    private LauncherRun appendWithRawId(String locale, String bashBytes) {
        return LaunchedImage.bash(locale + " \"$P\" append --root '" + root + "' --user x $'"
                + bashBytes + "'");
    }

    @Test
    void invalidIdsAreRefusedUnderAUtf8Locale() throws IOException {
        for (String id : new String[] {"\\xff", "\\xfe", "a\\xe9b"}) {
            String line = appendWithRawId("LC_ALL=C.UTF-8", id).expect(ExitCode.USAGE)
                    .oneErrorLine();
            assertTrue(line.contains("is not valid UTF-8"), line);
        }
        assertNothingStored();
    }

    @Test
    void invalidIdsAreRefusedWithoutALocale() throws IOException {
        String line = appendWithRawId("env -i", "\\xff").expect(ExitCode.USAGE).oneErrorLine();
        assertTrue(line.contains("argument 6"), line);
        assertNothingStored();
    }

    @Test
    void validUtf8StillRoundTrips() {
        appendWithRawId("LC_ALL=C.UTF-8", "caf\\xc3\\xa9").expect(0);
        assertEquals("café", LaunchedImage.run("list", "--json", "--root", root.toString())
                .expect(0).out().lines().filter(l -> l.contains("conv_id"))
                .map(l -> l.replaceAll(".*: \"(.*)\",?", "$1")).findFirst().orElseThrow());
    }

    private void assertNothingStored() throws IOException {
        Path sm = root.resolve("sm");
        if (Files.isDirectory(sm)) {
            try (Stream<Path> files = Files.list(sm)) {
                assertFalse(files.anyMatch(f -> f.getFileName().toString().endsWith(".json")));
            }
        }
    }
}
