package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any command line, the launcher ends with a documented exit code other than 1 (an internal
 * error is a bug), and a failure is reported on exactly one line of standard error.
 *
 * <p>The arguments mix the launcher's own vocabulary with arbitrary strings. Arguments that could
 * reach outside the test's root (another {@code --root}, an OpenAI endpoint, an absolute path)
 * are replaced, so fuzzing for real stays within {@code target/}.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/cli/LauncherFuzzTestInputs/}.
 */
class LauncherFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final Path ROOT = createRoot();

    private static final String[] WORDS = {"append", "show", "context", "transcript", "compact",
        "delete", "list", "check", "--json", "--user", "--assistant", "--user-file",
        "--assistant-file", "-", "--meta", "k=v", "=v", "--expect-seq", "1", "0", "-3", "2",
        "--max-rounds", "--keep-rounds", "--max-tokens", "--summarizer", "extractive", "bogus",
        "--model", "--format", "text", "messages", "--from", "--limit", "--repair", "--", "--help",
        "--version", "--debug", "c", "-c", "@c", "", "99999999999999999999"};

    private static Path createRoot() {
        try {
            return Files.createTempDirectory("launcher-fuzz-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void anyCommandLineEndsWithADocumentedCodeAndAOneLineError(FuzzedDataProvider data) {
        RUNS.incrementAndGet();
        List<String> args = new ArrayList<>(List.of("--root", ROOT.toString()));
        int count = data.consumeInt(0, 8);
        for (int i = 0; i < count; i++) {
            args.add(data.consumeBoolean() ? data.pickValue(WORDS) : confined(
                    data.consumeString(16)));
        }
        LauncherRun run = LauncherRun.with(Map.of(), data.consumeRemainingAsString(),
                args.toArray(String[]::new));
        assertNotEquals(ExitCode.INTERNAL, run.exit(), () -> args + "\n" + run.err());
        assertTrue(run.exit() >= 0 && run.exit() <= 7, () -> args + " exited " + run.exit());
        // Without a subcommand the whole usage is printed, on purpose.
        boolean usageShown = run.err().startsWith("Usage:");
        if (run.exit() != 0 && !args.contains("--debug") && !usageShown) {
            assertEquals(1, run.err().lines().count(), () -> args + "\n" + run.err());
        }
    }

    /** Keeps a fuzzed argument from naming another root, an endpoint or an absolute path. */
    private static String confined(String arg) {
        if (arg.startsWith("--r") || arg.contains("openai") || arg.startsWith("/")
                || arg.contains("demo")) {
            return "x";
        }
        return arg;
    }

    /** Jazzer runs one empty input when the seed folder is missing; fail instead of passing. */
    @AfterAll
    static void seedCorpusWasReplayed() {
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(RUNS.get() > 1, "the committed seed corpus was not replayed (runs: "
                    + RUNS.get() + ")");
        }
    }
}
