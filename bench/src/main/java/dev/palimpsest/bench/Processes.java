package dev.palimpsest.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs child processes for the start-up and memory figures, bounded in time. */
final class Processes {
    private static final long TIMEOUT_SECONDS = 120;

    private Processes() {
    }

    /**
     * The outcome of one child process.
     *
     * @param exitCode its exit code
     * @param nanos    wall time from start to exit
     * @param stdout   its standard output
     * @param stderr   its standard error
     */
    record Result(int exitCode, long nanos, String stdout, String stderr) {
    }

    /**
     * Runs a command to completion, timing it from start to exit.
     *
     * @param scratch a directory for the captured output
     * @param command the command
     * @return the outcome
     */
    static Result run(Path scratch, List<String> command) {
        try {
            Path out = Files.createTempFile(scratch, "out", ".txt");
            Path err = Files.createTempFile(scratch, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                            Path.of("/dev/null").toFile()));
            long start = System.nanoTime();
            Process p = pb.start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new BenchException("running " + command + ": still running after "
                        + TIMEOUT_SECONDS + " s; killed");
            }
            long nanos = System.nanoTime() - start;
            Result r = new Result(p.exitValue(), nanos,
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            return r;
        } catch (IOException e) {
            throw new BenchException("running " + command + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BenchException("running " + command + ": interrupted", e);
        }
    }

    /**
     * Runs a command under {@code /usr/bin/time} and returns its peak resident set size.
     *
     * @param scratch a directory for the captured output
     * @param command the command
     * @return the peak RSS in KiB
     */
    static long peakRssKib(Path scratch, List<String> command) {
        List<String> timed = new ArrayList<>(List.of("/usr/bin/time", "-f", "PEAK_RSS_KIB=%M"));
        timed.addAll(command);
        Result r = run(scratch, timed);
        if (r.exitCode() != 0) {
            throw new BenchException("measuring the RSS of " + command + ": exit " + r.exitCode()
                    + ": " + r.stderr().strip());
        }
        for (String line : r.stderr().split("\n")) {
            if (line.startsWith("PEAK_RSS_KIB=")) {
                return Long.parseLong(line.substring("PEAK_RSS_KIB=".length()).strip());
            }
        }
        throw new BenchException("measuring the RSS of " + command + ": no figure from "
                + "/usr/bin/time in: " + r.stderr().strip());
    }

    /**
     * Returns whether {@code /usr/bin/time} (GNU time) is installed.
     *
     * @return whether RSS can be measured
     */
    static boolean canMeasureRss() {
        return Files.isExecutable(Path.of("/usr/bin/time"));
    }
}
