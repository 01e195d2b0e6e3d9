package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each failure kind maps to its documented exit code, reported on one line. */
class ErrorReportTest {
    /** The exit codes docs/cli.md documents, per kind: scripts depend on them. */
    private static final Map<FailureKind, Integer> DOCUMENTED = Map.of(
            FailureKind.INVALID_INPUT, 2, FailureKind.TOO_LARGE, 2, FailureKind.NOT_FOUND, 3,
            FailureKind.CORRUPT, 4, FailureKind.CONFLICT, 5, FailureKind.REVISION_MISMATCH, 5,
            FailureKind.IO, 6, FailureKind.DURABILITY_UNKNOWN, 6, FailureKind.SUMMARIZER, 7);

    @Test
    void everyFailureKindMapsToItsExitCode() {
        assertEquals(FailureKind.values().length, DOCUMENTED.size(), "a kind without a code");
        for (FailureKind kind : FailureKind.values()) {
            assertEquals(DOCUMENTED.get(kind), ErrorReport.exitCode(
                    new PalimpsestException(kind, "c", "failed")), kind.name());
        }
        assertEquals(2, ErrorReport.exitCode(CliException.usage("bad flag")));
        assertEquals(3, ErrorReport.exitCode(CliException.noSuchConversation("c")));
        assertEquals(1, ErrorReport.exitCode(new IllegalStateException("bug")));
    }

    @Test
    void theReportIsOneLineNamingTheIdUnlessDebugging() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = ErrorReport.report(err, "palimpsest append", null,
                new PalimpsestException(FailureKind.DURABILITY_UNKNOWN, "c",
                        "saved, durability unknown:\nfsync failed", new IOException("EIO")),
                false);
        assertEquals(6, code);
        String line = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("palimpsest append: conversation 'c': saved, durability "
                + "unknown"), line);
        bytes.reset();
        ErrorReport.report(err, "palimpsest show", "c", new IllegalStateException("bug"), true);
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("\tat "));
    }
}
