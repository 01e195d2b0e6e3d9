package dev.palimpsest.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Describes the machine a run came from, so published figures say where they were taken. */
final class Machine {
    private Machine() {
    }

    /**
     * Returns a Markdown heading and a line describing the machine, the JVM and the work
     * directory's file system.
     *
     * @param workDir the directory the benchmarks write to
     * @param mode    the run's mode
     * @return the description
     */
    static String describe(Path workDir, String mode) {
        String fs;
        try {
            fs = Files.getFileStore(workDir).type();
        } catch (IOException e) {
            fs = "unknown (" + e.getMessage() + ")";
        }
        return String.format("%n## Benchmark run (%s), %s%n%n"
                        + "Machine: %d CPUs (`nproc`), %s; kernel %s; JVM %s %s; "
                        + "work directory on %s; load average at start %s.%n",
                mode, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                Runtime.getRuntime().availableProcessors(), cpuModel(),
                System.getProperty("os.version"), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), fs, loadAverage());
    }

    private static String cpuModel() {
        return firstLine(Path.of("/proc/cpuinfo"), "model name").map(l -> l.replaceFirst(
                "^model name\\s*:\\s*", "")).orElse("unknown CPU");
    }

    private static String loadAverage() {
        return firstLine(Path.of("/proc/loadavg"), "").map(l -> String.join(" ",
                List.of(l.split(" ")).subList(0, 3))).orElse("unknown");
    }

    private static java.util.Optional<String> firstLine(Path file, String prefix) {
        try {
            return Files.readAllLines(file).stream().filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }
}
