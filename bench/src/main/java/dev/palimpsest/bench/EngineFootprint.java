package dev.palimpsest.bench;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The child JVM of figure 4b: holds every stored conversation's state in memory through an
 * engine, then prints its peak and current resident set size and heap use, one
 * {@code key=value} a line.
 */
public final class EngineFootprint {
    private EngineFootprint() {
    }

    /**
     * Entry point: {@code EngineFootprint ROOT EXPECTED_COUNT}.
     *
     * @param args the data root and the number of conversations expected there
     * @throws IOException if /proc cannot be read
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        int expected = Integer.parseInt(args[1]);
        Map<String, ConversationState> held = new HashMap<>();
        long stateBytes = 0;
        try (FileConversationStore store = FileConversationStore.open(root, ScaleBenchmark.MANY);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            for (String id : ScaleBenchmark.allIds(store)) {
                held.put(id, engine.state(id).orElseThrow());
                stateBytes += Files.size(store.checkpointFile(id));
            }
        }
        if (held.size() != expected) {
            throw new BenchException("held " + held.size() + " states, expected " + expected);
        }
        System.gc();
        Runtime rt = Runtime.getRuntime();
        System.out.println("conversations=" + held.size());
        System.out.println("state_file_bytes=" + stateBytes);
        System.out.println("heap_used_after_gc=" + (rt.totalMemory() - rt.freeMemory()));
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:") || line.startsWith("VmRSS:")) {
                String[] f = line.split("\\s+");
                System.out.println(f[0].replace(":", "").toLowerCase(Locale.ROOT) + "_kib=" + f[1]);
            }
        }
    }

    /**
     * Turns the child's output into report rows.
     *
     * @param stdout the child's standard output
     * @return the rows
     */
    static List<List<String>> rows(String stdout) {
        Map<String, Long> v = new HashMap<>();
        for (String line : stdout.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                v.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1).strip()));
            }
        }
        long n = v.getOrDefault("conversations", 1L);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("conversations held", Long.toString(n)));
        rows.add(List.of("their state files (checkpoints) on disk", mib(v.getOrDefault("state_file_bytes", 0L))));
        rows.add(List.of("heap used after GC", mib(v.getOrDefault("heap_used_after_gc", 0L))
                + String.format(Locale.ROOT, " (%.1f KB per conversation)",
                v.getOrDefault("heap_used_after_gc", 0L) / 1024.0 / n)));
        rows.add(List.of("peak RSS (VmHWM)", mib(v.getOrDefault("vmhwm_kib", 0L) * 1024)));
        rows.add(List.of("RSS at the end (VmRSS)", mib(v.getOrDefault("vmrss_kib", 0L) * 1024)));
        return rows;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
