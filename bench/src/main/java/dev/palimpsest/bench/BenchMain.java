package dev.palimpsest.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Runs the benchmarks: {@code BenchMain MODE WORKDIR RESULTS FIGURE...} where MODE is
 * {@code quick} or {@code full} and each FIGURE is {@code append} (1), {@code scale} (2, 4b),
 * {@code startup} (3, 4a), {@code parallel} (5), {@code range} (6), {@code memory} (7),
 * {@code postgres} (8), {@code memory-postgres} (7d alone) or
 * {@code all}; {@code --endpoint URL --model M} makes the memory figure summarize through an
 * OpenAI-compatible endpoint. Prints each figure's table as it completes and appends it to
 * RESULTS.
 */
public final class BenchMain {
    private BenchMain() {
    }

    /**
     * Entry point.
     *
     * @param args mode, work directory, results file, figures
     * @throws Exception if a benchmark failed
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: BenchMain quick|full WORKDIR RESULTS.md "
                    + "append|scale|startup|parallel|range|memory|memory-postgres|postgres|all"
                    + " ... "
                    + "[--endpoint URL --model M]");
            System.exit(2);
        }
        Settings settings = Settings.of(args[0], Path.of(args[1]), Path.of(args[2]));
        Files.createDirectories(settings.workDir());
        Report report = new Report(System.out, settings.results());
        report.text(Machine.describe(settings.workDir(), args[0]));
        List<String> figures = Arrays.asList(args).subList(3, args.length);
        boolean all = figures.contains("all");
        // memory-postgres is part of memory; alone it runs only figure 7d.
        List<String> known = List.of("append", "scale", "startup", "parallel", "range", "memory",
                "postgres", "memory-postgres", "server");
        for (int i = 0; i < figures.size(); i++) {
            String f = figures.get(i);
            if (f.equals("--endpoint") || f.equals("--model")) {
                i++;
            } else if (!f.equals("all") && !known.contains(f)) {
                throw new BenchException("unknown figure '" + f + "': give one of " + known
                        + " or all");
            }
        }
        for (String f : known) {
            if (f.equals("memory-postgres") && (all || figures.contains("memory"))) {
                continue;
            }
            if (all || figures.contains(f)) {
                long start = System.nanoTime();
                runFigure(f, settings, report, figures);
                System.err.printf(Locale.ROOT, "[bench] %s took %.1f s%n", f,
                        (System.nanoTime() - start) / 1e9);
            }
        }
        Dirs.delete(settings.workDir());
    }

    private static void runFigure(String figure, Settings settings, Report report,
                                  List<String> args) throws Exception {
        switch (figure) {
            case "append" -> AppendBenchmark.run(settings, report);
            case "scale" -> ScaleBenchmark.run(settings, report);
            case "startup" -> StartupBenchmark.run(settings, report);
            case "parallel" -> ParallelBenchmark.run(settings, report);
            case "range" -> RangeReadBenchmark.run(settings, report);
            case "memory" -> MemoryBenchmark.run(settings, report, args);
            case "postgres" -> PostgresBenchmark.run(settings, report);
            case "server" -> ServerBenchmark.run(settings, report);
            // 7d alone (also part of memory): recall from PostgreSQL against Lucene.
            case "memory-postgres" -> MemoryBenchmark.onPostgres(settings, report);
            default -> throw new BenchException("unknown figure: " + figure);
        }
    }
}
