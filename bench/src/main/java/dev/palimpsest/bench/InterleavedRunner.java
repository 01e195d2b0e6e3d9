package dev.palimpsest.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Times contenders side by side: after a warm-up of each, it runs rounds in which every contender
 * does a short batch of operations, rotating the order from round to round, and timing each
 * operation on its own. Interleaving spreads the machine's drift (other processes, the disk's
 * write-back) over all contenders instead of charging it to whichever ran last.
 *
 * <p>The warm-up runs the contenders in the same rotating batches until each has done at least
 * {@code warmupOps} operations <em>and</em> the JIT has compiled nothing for {@link #JIT_QUIET}
 * (or {@code maxWarmup} has passed): a daemon runs its hot path compiled, and a few hundred
 * operations of a path that takes half a millisecond of fsync are far from enough for the C2
 * compiler to reach it. Measured before, the store's save still ran partly interpreted and its
 * CPU time was half as high again as in steady state, while the compiler threads took the
 * second core from the measured thread.
 */
final class InterleavedRunner {
    /** How long the JIT must have been idle for the warm-up to end. */
    static final Duration JIT_QUIET = Duration.ofSeconds(1);

    private final int warmupOps;
    private final Duration maxWarmup;
    private final int rounds;
    private final int opsPerBatch;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private Map<String, Stats> lastCpu = Map.of();
    private String lastWarmup = "no warm-up yet";

    /**
     * Creates a runner.
     *
     * @param warmupOps   the fewest operations per contender before timing starts
     * @param maxWarmup   the longest the warm-up waits for the JIT to go quiet
     * @param rounds      timed rounds
     * @param opsPerBatch operations per contender in each round
     */
    InterleavedRunner(int warmupOps, Duration maxWarmup, int rounds, int opsPerBatch) {
        if (warmupOps < 0 || rounds < 1 || opsPerBatch < 1 || maxWarmup.isNegative()) {
            throw new IllegalArgumentException(String.format(
                    "need warmupOps >= 0, maxWarmup >= 0, rounds >= 1, opsPerBatch >= 1;"
                            + " was %d, %s, %d, %d", warmupOps, maxWarmup, rounds, opsPerBatch));
        }
        this.warmupOps = warmupOps;
        this.maxWarmup = maxWarmup;
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
        warmUp(contenders);
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

    private void warmUp(List<? extends Contender> contenders) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean jitTimed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long deadline = start + maxWarmup.toNanos();
        long lastJitMillis = jitTimed ? jit.getTotalCompilationTime() : 0;
        long jitQuietSince = start;
        long opsEach = 0;
        boolean quiet = false;
        for (int r = 0; ; r++) {
            long now = System.nanoTime();
            if (jitTimed) {
                long jitMillis = jit.getTotalCompilationTime();
                if (jitMillis != lastJitMillis) {
                    lastJitMillis = jitMillis;
                    jitQuietSince = now;
                }
                quiet = now - jitQuietSince >= JIT_QUIET.toNanos();
            }
            if (opsEach >= warmupOps && (quiet || !jitTimed || now >= deadline)) {
                break;
            }
            for (int k = 0; k < contenders.size(); k++) {
                Contender c = contenders.get((k + r) % contenders.size());
                for (int op = 0; op < opsPerBatch; op++) {
                    c.runOnce();
                }
            }
            opsEach += opsPerBatch;
        }
        lastWarmup = String.format("%d operations per contender in %.1f s, %s", opsEach,
                (System.nanoTime() - start) / 1e9, !jitTimed ? "JIT activity not observable"
                        : quiet ? "until the JIT had compiled nothing for "
                                + JIT_QUIET.toMillis() + " ms"
                        : "stopped at the limit of " + maxWarmup.toSeconds()
                                + " s with the JIT still compiling");
    }

    /**
     * Describes the last warm-up, for the report.
     *
     * @return how many operations it took and why it stopped
     */
    String lastWarmup() {
        return lastWarmup;
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
