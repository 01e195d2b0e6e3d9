package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.InvalidModelException;
import dev.palimpsest.engine.EngineException;
import dev.palimpsest.engine.SequenceConflictException;
import dev.palimpsest.engine.SummarizerException;
import dev.palimpsest.persist.ConflictException;
import dev.palimpsest.persist.CorruptStateException;
import dev.palimpsest.persist.DurabilityUnknownException;
import dev.palimpsest.persist.IdCollisionException;
import dev.palimpsest.persist.InvalidIdException;
import dev.palimpsest.persist.StateTooLargeException;
import dev.palimpsest.persist.StoreIOException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Each failure type maps to its documented exit code, reported on one line. */
class ErrorReportTest {
    private static final Path FILE = Path.of("sm", "conversation-c.json");

    @Test
    void everyFailureTypeMapsToItsExitCode() {
        assertEquals(2, ErrorReport.exitCode(new InvalidIdException("", "empty")));
        assertEquals(2, ErrorReport.exitCode(new InvalidModelException("bad text")));
        assertEquals(2, ErrorReport.exitCode(CliException.usage("bad flag")));
        assertEquals(2, ErrorReport.exitCode(new StateTooLargeException("c", 70_000_000,
                67_108_864, "the state")));
        assertEquals(3, ErrorReport.exitCode(CliException.noSuchConversation("c")));
        assertEquals(4, ErrorReport.exitCode(new CorruptStateException("c", FILE,
                CorruptStateException.Reason.NEWER_SCHEMA, "schema 9", null)));
        assertEquals(4, ErrorReport.exitCode(new IdCollisionException("c", "C", FILE)));
        assertEquals(4, ErrorReport.exitCode(new EngineException("c", "archive gap", null)));
        assertEquals(5, ErrorReport.exitCode(new ConflictException("c", 1, 2)));
        assertEquals(5, ErrorReport.exitCode(new SequenceConflictException("c", 1, 3, "moved")));
        assertEquals(6, ErrorReport.exitCode(new StoreIOException("c",
                StoreIOException.Step.FSYNC, FILE, new IOException("EIO"))));
        assertEquals(6, ErrorReport.exitCode(new DurabilityUnknownException("c",
                StoreIOException.Step.DIRECTORY_FSYNC, FILE, new IOException("EIO"))));
        assertEquals(7, ErrorReport.exitCode(new SummarizerException("c", "timeout", null)));
        assertEquals(1, ErrorReport.exitCode(new IllegalStateException("bug")));
    }

    @Test
    void theReportIsOneLineNamingTheIdUnlessDebugging() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int code = ErrorReport.report(err, "palimpsest append", null,
                new DurabilityUnknownException("c", StoreIOException.Step.DIRECTORY_FSYNC, FILE,
                        new IOException("EIO")), false);
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
