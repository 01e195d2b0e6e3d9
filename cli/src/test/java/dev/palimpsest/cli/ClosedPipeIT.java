package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's launcher in a real pipeline: {@code palimpsest transcript ID | head -1} and
 * {@code palimpsest demo | head -3} end with the shell's SIGPIPE status 141 and say nothing;
 * {@code > /dev/full} is still exit 6.
 */
class ClosedPipeIT {
    @TempDir
    Path root;

    @Test
    void transcriptIntoHeadEndsWith141AndNoMessage() {
        // 200 rounds of 20 KB: about 4 MB of transcript, far more than a pipe buffers.
        ClosedPipeTest.storeLongConversation(root, "big", 200);
        LauncherRun run = LaunchedImage.bash("\"$P\" transcript --root '" + root + "' big "
                + "| head -1; echo \"${PIPESTATUS[0]}\"");
        assertEquals(2, run.out().lines().count(), run.out());
        assertEquals("141", run.out().lines().skip(1).findFirst().orElseThrow(), run.err());
        assertEquals("", run.err());
    }

    @Test
    void demoIntoHeadEndsWith141AndNoMessage() {
        LauncherRun run = LaunchedImage.bash("\"$P\" demo --root '" + root + "' | head -3; "
                + "echo \"${PIPESTATUS[0]}\"");
        assertEquals("141", run.out().lines().skip(3).findFirst().orElseThrow(), run.err());
        assertEquals("", run.err());
    }

    @Test
    void aFullDeviceIsExitSix() {
        ClosedPipeTest.storeLongConversation(root, "c", 2);
        LauncherRun run = LaunchedImage.bash("\"$P\" show --root '" + root + "' c > /dev/full; "
                + "echo \"$?\"");
        assertEquals("6", run.out().strip());
        assertEquals("palimpsest: cannot write to standard output", run.err().strip());
    }
}
