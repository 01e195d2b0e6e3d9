package dev.palimpsest.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs one contender of figure 1 a given number of times, for {@code bench/syscalls.sh} to count
 * its system calls with {@code strace -c}: {@code SyscallProbe WORKDIR PREFIX COUNT}, where
 * PREFIX starts the contender's name ({@code 1a}, {@code 1b}, {@code 1d}...).
 * The script runs it with COUNT 0 and COUNT N and divides the difference by N, so that start-up
 * and set-up cancel out.
 */
public final class SyscallProbe {
    private SyscallProbe() {
    }

    /**
     * Entry point.
     *
     * @param args work directory, contender name prefix, operation count
     * @throws Exception if the contender failed
     */
    public static void main(String[] args) throws Exception {
        Path work = Dirs.fresh(Path.of(args[0]));
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        // A fixed budget, not the count: the set-up must be the same in the run of 0 and of N.
        List<Contender> contenders = AppendBenchmark.contenders(work, 1000);
        try {
            Contender chosen = contenders.stream().filter(c -> c.name().startsWith(prefix))
                    .findFirst().orElseThrow(() -> new BenchException("no contender starts with '"
                            + prefix + "'"));
            for (int i = 0; i < count; i++) {
                chosen.runOnce();
            }
        } finally {
            for (Contender c : contenders) {
                c.release();
            }
            Dirs.delete(work);
        }
    }
}
