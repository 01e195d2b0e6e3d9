package dev.palimpsest.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Collects the figures of a run as Markdown tables, prints each section as it completes (so a
 * long run shows progress), and appends it to a results file that the docs quote.
 */
final class Report {
    private final PrintStream out;
    private final Path file;

    /**
     * Creates a report.
     *
     * @param out  where sections are printed
     * @param file the Markdown file sections are appended to
     */
    Report(PrintStream out, Path file) {
        this.out = out;
        this.file = file;
    }

    /**
     * Emits a section: a heading, a note, and a table.
     *
     * @param title   the heading
     * @param note    one paragraph under it (what was measured, how)
     * @param headers the column headers
     * @param rows    the rows, each as many cells as headers
     */
    void section(String title, String note, List<String> headers, List<List<String>> rows) {
        StringBuilder md = new StringBuilder();
        md.append("\n### ").append(title).append("\n\n").append(note).append("\n\n");
        md.append("| ").append(String.join(" | ", headers)).append(" |\n|");
        md.append("---|".repeat(headers.size())).append('\n');
        for (List<String> row : rows) {
            if (row.size() != headers.size()) {
                throw new IllegalArgumentException("row has " + row.size() + " cells, headers "
                        + headers.size() + ": " + row);
            }
            md.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        emit(md.toString());
    }

    /**
     * Emits free text (a heading with the machine description, a warning).
     *
     * @param markdown the text
     */
    void text(String markdown) {
        emit(markdown.endsWith("\n") ? markdown : markdown + "\n");
    }

    /**
     * Builds the usual comparison table: median, p10, p90, count and the ratio to the baseline.
     *
     * @param stats    contender name to its statistics; the baseline among them
     * @param baseline the baseline's name
     * @return the rows
     */
    static List<List<String>> ratioRows(Map<String, Stats> stats, String baseline) {
        return ratioRows(stats, Map.of(), baseline);
    }

    /**
     * Builds the comparison table with a last column of median CPU time per operation.
     *
     * @param stats    contender name to its wall-time statistics; the baseline among them
     * @param cpu      contender name to its CPU-time statistics (empty: no CPU column)
     * @param baseline the baseline's name
     * @return the rows
     */
    static List<List<String>> ratioRows(Map<String, Stats> stats, Map<String, Stats> cpu,
                                        String baseline) {
        Stats base = stats.get(baseline);
        if (base == null) {
            throw new IllegalArgumentException("no baseline '" + baseline + "' in " + stats.keySet());
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Stats> e : stats.entrySet()) {
            Stats s = e.getValue();
            List<String> row = new ArrayList<>(List.of(e.getKey(), micros(s.median()),
                    micros(s.quantile(0.1)), micros(s.quantile(0.9)),
                    Integer.toString(s.count()), ratio(s.median() / base.median())));
            if (!cpu.isEmpty()) {
                row.add(micros(cpu.get(e.getKey()).median()));
            }
            rows.add(row);
        }
        return rows;
    }

    /**
     * Formats nanoseconds as microseconds.
     *
     * @param nanos a duration in nanoseconds
     * @return e.g. {@code 1234.5}
     */
    static String micros(double nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    /**
     * Formats nanoseconds as milliseconds.
     *
     * @param nanos a duration in nanoseconds
     * @return e.g. {@code 12.34}
     */
    static String millis(double nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1_000_000.0);
    }

    /**
     * Formats a ratio.
     *
     * @param ratio the ratio
     * @return e.g. {@code 1.07x}
     */
    static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.2fx", ratio);
    }

    /**
     * Says whether a figure meets its target, plainly.
     *
     * @param ok whether it does
     * @return {@code meets} or {@code MISSES}
     */
    static String verdict(boolean ok) {
        return ok ? "meets" : "MISSES";
    }

    private void emit(String markdown) {
        out.print(markdown);
        out.flush();
        try {
            Files.writeString(file, markdown, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new BenchException("writing the results file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Builds the rows of a throughput table: per contender, the median of its repetitions (the
     * mean of the two middle ones for an even count), their range and each repetition; fills
     * {@code medians} with each contender's median.
     *
     * @param repetitions contender name to its rounds per second, one value per repetition
     * @param medians     filled with contender name to its median
     * @return the rows
     */
    static List<List<String>> throughputRows(Map<String, List<Double>> repetitions,
                                             Map<String, Double> medians) {
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, List<Double>> e : repetitions.entrySet()) {
            List<Double> sorted = new ArrayList<>(e.getValue());
            sorted.sort(null);
            int n = sorted.size();
            double m = n % 2 == 1 ? sorted.get(n / 2)
                    : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
            medians.put(e.getKey(), m);
            rows.add(List.of(e.getKey(), String.format(java.util.Locale.ROOT, "%.0f", m),
                    String.format(java.util.Locale.ROOT, "%.0f-%.0f", sorted.get(0),
                            sorted.get(n - 1)),
                    e.getValue().stream().map(v -> String.format(java.util.Locale.ROOT, "%.0f",
                            v)).reduce((a, b) -> a + ", " + b).orElse("")));
        }
        return rows;
    }
}
