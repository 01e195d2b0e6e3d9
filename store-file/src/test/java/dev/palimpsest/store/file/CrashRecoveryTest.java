package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An appender killed with SIGKILL at any moment loses nothing it acknowledged: a child JVM
 * ({@link CrashingAppenderChild}) appends with 64 KiB segments and a checkpoint every 3 records,
 * and is killed either at a random moment or stopped exactly before or after the rename of a new
 * segment or of a checkpoint, or before or after the force of a record, and killed there. After
 * each kill a store over the same root loads every acknowledged message, numbered 1, 2, ... in
 * order, once, with at most the one append in flight stored unacknowledged (and then whole);
 * check finds nothing but leftover temp files and torn tails; and the next life goes on from
 * there. {@code -Dpalimpsest.crash.kills=N} runs more kills.
 */
class CrashRecoveryTest {
    private static final int KILLS = Integer.getInteger("palimpsest.crash.kills", 16);
    /** Two data roots killed in parallel: a child spends most of its life starting up. */
    private static final int LANES = 2;
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int EXIT_BY_SIGKILL = 128 + 9;
    private static final String CONV_ID = "crash/ü 1";

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES) // a hang guard; about 15 s on 2 idle cores
    void sigkillAtAnyStepNeverLosesDuplicatesOrRenumbersAnAcknowledgedMessage()
            throws InterruptedException {
        Map<CrashingAppenderChild.Pause, Integer> paused = new EnumMap<>(
                CrashingAppenderChild.Pause.class);
        int[] figures = new int[3]; // random kills, messages acknowledged, stored unacknowledged
        long started = System.nanoTime();
        ExecutorService lanes = Executors.newFixedThreadPool(LANES);
        try (ChildJvms children = new ChildJvms(KILLS, Duration.ofSeconds(60))) {
            Seeds.run("store-file crash test", random -> {
                List<Future<?>> results = new ArrayList<>();
                for (int lane = 0; lane < LANES; lane++) {
                    Path root = dir.resolve("lane-" + lane);
                    Random laneRandom = new Random(random.nextLong());
                    int kills = KILLS / LANES + (lane < KILLS % LANES ? 1 : 0);
                    int first = lane;
                    results.add(lanes.submit(() -> killRepeatedly(children, root, laneRandom,
                            kills, first, paused, figures)));
                }
                for (Future<?> result : results) {
                    outcome(result);
                }
                assertEquals(KILLS, children.started());
            });
        } finally {
            lanes.shutdownNow();
            lanes.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        synchronized (figures) {
            System.out.printf("store-file crash test: %d SIGKILLs in %.1f s: %d at random moments,"
                            + " the others at %s; %d messages acknowledged, %d appends stored"
                            + " but not acknowledged%n", KILLS,
                    (System.nanoTime() - started) / 1e9, figures[0], paused, figures[1],
                    figures[2]);
            assertEquals(CrashingAppenderChild.Pause.values().length, paused.size(),
                    "every pause point was killed at least once: " + paused);
        }
    }

    private static void outcome(Future<?> result) {
        try {
            result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AssertionError failure) {
                throw failure;
            }
            throw new AssertionError("a crash lane failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for a crash lane", e);
        }
    }

    private static void killRepeatedly(ChildJvms children, Path root, Random random, int kills,
                                       int firstPause,
                                       Map<CrashingAppenderChild.Pause, Integer> paused,
                                       int[] figures) {
        root.toFile().mkdirs();
        CrashingAppenderChild.Pause[] points = CrashingAppenderChild.Pause.values();
        long acknowledged = 0;
        for (int kill = 0; kill < kills; kill++) {
            // Every pause point in turn (the lanes start at different ones), every third kill
            // at a random moment instead.
            CrashingAppenderChild.Pause pause = kill % 3 == 2 ? null
                    : points[(firstPause + kill - kill / 3) % points.length];
            int nth = 1 + random.nextInt(3);
            ChildJvm child = children.start(CrashingAppenderChild.class, root.toString(),
                    CONV_ID, Long.toString(random.nextLong()),
                    pause == null ? "none" : pause.name(), Integer.toString(nth));
            child.awaitLine(line -> line.startsWith("ready "), WAIT);
            if (pause == null) {
                child.awaitLine(line -> line.startsWith("acked "), WAIT);
                sleep(random.nextInt(150));
            } else {
                child.awaitLine(("paused " + pause)::equals, WAIT);
            }
            child.kill(WAIT);
            assertEquals(EXIT_BY_SIGKILL, child.process().exitValue(), child.describe());
            synchronized (figures) {
                if (pause == null) {
                    figures[0]++;
                } else {
                    paused.merge(pause, 1, Integer::sum);
                }
            }
            String context = root.getFileName() + ", kill " + (kill + 1) + " ("
                    + (pause == null ? "random moment" : pause + " #" + nth) + ")";
            acknowledged = verify(root, child, acknowledged, context, figures);
        }
    }

    /**
     * Checks the child's reports and the store after its death; returns the number of messages
     * stored, from which the next life goes on.
     */
    private static long verify(Path root, ChildJvm child, long stored, String context,
                               int[] figures) {
        long next = stored + 1;
        long acknowledged = stored;
        for (String line : child.lines()) {
            String[] words = line.split(" ");
            if (words[0].equals("ready")) {
                assertEquals(next, Long.parseLong(words[1]), context + ": the life starts at");
            } else if (words[0].equals("acked")) {
                assertEquals(next, Long.parseLong(words[1]), context + ": " + line);
                acknowledged = Long.parseLong(words[2]);
                next = acknowledged + 1;
            } else if (!words[0].equals("paused")) {
                fail(context + ": unexpected line " + line + "\n" + child.describe());
            }
        }
        try (FileConversationStore store = FileConversationStore.open(root,
                CrashingAppenderChild.OPTIONS)) {
            // A kill before the first record leaves no conversation.
            List<StoredMessage> all = store.load(CONV_ID).isEmpty() ? List.of()
                    : store.messages(CONV_ID, 1, 1_000_000);
            for (int i = 0; i < all.size(); i++) {
                StoredMessage m = all.get(i);
                assertEquals(i + 1, m.seq(), context);
                assertTrue(m.message().content().startsWith("m" + m.seq() + " "),
                        context + ": message " + m.seq() + " holds another's text");
            }
            long total = all.size();
            assertTrue(total >= acknowledged, context + ": " + total
                    + " messages stored, " + acknowledged + " acknowledged");
            // At most the append in flight (up to 3 messages) is stored unacknowledged.
            assertTrue(total <= acknowledged + 3, context + ": " + total + " stored, "
                    + acknowledged + " acknowledged");
            assertEquals(total, store.load(CONV_ID).map(s -> s.counters().messagesTotal())
                    .orElse(0L), context);
            CheckReport report = store.check(false);
            for (CheckReport.Finding finding : report.findings()) {
                assertTrue(finding.problem() == CheckReport.Problem.LEFTOVER_TEMP_FILE
                        || finding.problem() == CheckReport.Problem.TORN_TAIL,
                        context + ": " + finding);
            }
            synchronized (figures) {
                figures[1] += (int) (acknowledged - stored);
                if (total > acknowledged) {
                    figures[2]++;
                }
            }
            return total;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
