package dev.palimpsest.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times contenders side by side: after a warm-up of each, it runs rounds in which every contender
 * does a short batch of operations, rotating the order from round to round, and timing each
 * operation on its own. Interleaving spreads the machine's drift (other processes, the disk's
 * write-back, the JIT) over all contenders instead of charging it to whichever ran last.
 */
final class InterleavedRunner {
    private final int warmupOps;
    private final int rounds;
    private final int opsPerBatch;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<String, Stats> lastCpu = Map.of();

    /**
     * Creates a runner.
     *
     * @param warmupOps   operations per contender before timing starts
     * @param rounds      timed rounds
     * @param opsPerBatch operations per contender in each round
     */
    InterleavedRunner(int warmupOps, int rounds, int opsPerBatch) {
        if (warmupOps < 0 || rounds < 1 || opsPerBatch < 1) {
            throw new IllegalArgumentException(String.format(
                    "need warmupOps >= 0, rounds >= 1, opsPerBatch >= 1; was %d, %d, %d",
                    warmupOps, rounds, opsPerBatch));
        }
        this.warmupOps = warmupOps;
        this.rounds = rounds;
        this.opsPerBatch = opsPerBatch;
    }

    /**
     * Runs the contenders and returns each one's statistics, in the order given.
     *
     * @param contenders the contenders, already set up
     * @return name to statistics of its per-operation times
     * @throws Exception if an operation failed
     */
    Map<String, Stats> run(List<? extends Contender> contenders) throws Exception {
        for (Contender c : contenders) {
            for (int i = 0; i < warmupOps; i++) {
                c.runOnce();
            }
        }
        int n = contenders.size();
        List<long[]> samples = new ArrayList<>();
        List<long[]> cpu = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            samples.add(new long[rounds * opsPerBatch]);
            cpu.add(new long[rounds * opsPerBatch]);
        }
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < n; k++) {
                int idx = (k + r) % n;
                Contender c = contenders.get(idx);
                long[] into = samples.get(idx);
                long[] cpuInto = cpu.get(idx);
                for (int op = 0; op < opsPerBatch; op++) {
                    long cpuStart = threads.getCurrentThreadCpuTime();
                    long start = System.nanoTime();
                    c.runOnce();
                    into[r * opsPerBatch + op] = System.nanoTime() - start;
                    cpuInto[r * opsPerBatch + op] = threads.getCurrentThreadCpuTime() - cpuStart;
                }
            }
        }
        Map<String, Stats> result = new LinkedHashMap<>();
        Map<String, Stats> cpuResult = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            result.put(contenders.get(i).name(), new Stats(samples.get(i)));
            cpuResult.put(contenders.get(i).name(), new Stats(cpu.get(i)));
        }
        lastCpu = cpuResult;
        return result;
    }

    /**
     * Returns the CPU time (user and system) that the calling thread spent in each operation of
     * the last {@link #run}, per contender. Unlike wall time, it hardly depends on how busy the
     * machine is, so it shows what a contender costs besides waiting for the device. Work done
     * on other threads (the kernel's journal thread, SQLite has none) is not in it.
     *
     * @return name to statistics of its per-operation CPU times
     */
    Map<String, Stats> lastCpu() {
        return lastCpu;
    }
}
