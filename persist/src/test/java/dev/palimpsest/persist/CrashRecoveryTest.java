package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed with SIGKILL at any instant loses nothing it acknowledged and leaves nothing
 * unreadable: a child JVM advances a {@link DeterministicHistory} conversation in a loop
 * ({@link CrashingSaverMain}) and the test kills it at random moments, then reopens the store.
 */
class CrashRecoveryTest {
    /** At least 50 kills (issue 3); {@code -Dpalimpsest.crash.kills=N} runs more. */
    private static final int KILLS = Integer.getInteger("palimpsest.crash.kills", 60);
    /**
     * Independent data roots killed in parallel: a child spends most of its short life starting
     * up, so two lanes keep both cores of a small CI machine busy and halve the wall time.
     */
    private static final int LANES = 2;
    /** A quarter of the kills land uniformly within this long after the child is ready. */
    private static final int EARLY_KILL_WINDOW_MILLIS = 250;
    /** The others land uniformly within this long after the child's first save. */
    private static final int KILL_WINDOW_MILLIS = 100;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The exit status of a process killed by signal 9, as Java reports it on Linux. */
    private static final int EXIT_BY_SIGKILL = 128 + 9;
    private static final String CONV_ID = "crash-Ünïcode/id 1";

    @TempDir
    Path dir;

    @Test
    // A hang guard only: on an idle 2-core machine the test takes well under a minute, but each
    // kill starts a JVM, and a machine busy with other builds can make that several times slower.
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void sigkillAtRandomMomentsNeverLosesAnAcknowledgedSaveNorLeavesAnUnreadableFile()
            throws InterruptedException {
        Figures figures = new Figures();
        long started = System.nanoTime();
        ExecutorService lanes = Executors.newFixedThreadPool(LANES);
        try (ChildJvms children = new ChildJvms(KILLS, Duration.ofSeconds(60))) {
            Seeds.run("crash test", random -> {
                List<Future<Figures>> results = new ArrayList<>();
                for (int lane = 0; lane < LANES; lane++) {
                    Path root = dir.resolve("lane-" + lane);
                    Random laneRandom = new Random(random.nextLong());
                    int kills = KILLS / LANES + (lane < KILLS % LANES ? 1 : 0);
                    String name = "lane " + lane;
                    results.add(lanes.submit(
                            () -> killRepeatedly(children, root, laneRandom, kills, name)));
                }
                for (Future<Figures> result : results) {
                    figures.add(outcome(result));
                }
                assertEquals(KILLS, children.started());
            });
        } finally {
            // A lane still running after a failure is interrupted; its children are already dead.
            lanes.shutdownNow();
            lanes.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        System.out.printf("crash test: %d SIGKILLs (%d lanes) in %.1f s; %d saves acknowledged"
                        + " by children; kills that left a temp file: %d; kills after a rename but"
                        + " before its report: %d; kills before the first save of a life: %d;"
                        + " kills that tore an archive line: %d%n",
                KILLS, LANES, (System.nanoTime() - started) / 1e9, figures.saves,
                figures.tempLeftBehind, figures.savedButUnreported, figures.noSaveInLife,
                figures.tornArchiveLine);
    }

    /** Starts, kills and checks a child {@code kills} times over one data root. */
    private Figures killRepeatedly(ChildJvms children, Path root, Random random, int kills,
                                   String lane) {
        Figures figures = new Figures();
        long acknowledged = 0;
        for (int kill = 1; kill <= kills; kill++) {
            ChildJvm child = children.start(CrashingSaverMain.class, root.toString(), CONV_ID,
                    Long.toString(random.nextLong()));
            child.awaitLine("ready"::equals, WAIT);
            if (random.nextInt(4) == 0) {
                // Any moment of the first saves, while classes still load.
                sleep(random.nextInt(EARLY_KILL_WINDOW_MILLIS + 1));
            } else {
                // Any moment once it saves at full speed.
                child.awaitLine(line -> line.startsWith("saved "), WAIT);
                sleep(random.nextInt(KILL_WINDOW_MILLIS + 1));
            }
            child.kill(WAIT);
            // A child that died by itself (an exception in a save) must fail the test, not pass
            // for a crash.
            assertEquals(EXIT_BY_SIGKILL, child.process().exitValue(), child.describe());
            long reported = lastReportedRevision(child, acknowledged);
            figures.saves += reported - acknowledged;
            String context = lane + ", after kill " + kill + " (last reported revision "
                    + reported + ")";
            acknowledged = verifyAndWriteOnce(root, reported, figures, context, child);
        }
        return figures;
    }

    /** The lane's figures, or the lane's failure as it was raised. */
    private static Figures outcome(Future<Figures> result) {
        try {
            return result.get();
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

    @Test
    void historyOracleMatchesStepByStepReplay() {
        Conversation state = Conversation.empty(CONV_ID);
        for (int steps = 1; steps <= 5 * DeterministicHistory.WINDOW; steps++) {
            state = DeterministicHistory.advance(state, rounds -> { });
            assertEquals(state.withRevision(steps), DeterministicHistory.after(CONV_ID, steps),
                    "after " + steps + " steps");
        }
    }

    /** The highest {@code saved N} line of a killed child, checking the lines go up by one. */
    private static long lastReportedRevision(ChildJvm child, long acknowledged) {
        long last = -1;
        for (String line : child.lines()) {
            if (line.equals("ready")) {
                continue;
            }
            if (!line.startsWith("saved ")) {
                fail("unexpected line from the child: " + line + "\n" + child.stderr());
            }
            long revision = Long.parseLong(line.substring(6));
            if (last >= 0 && revision != last + 1) {
                fail("the child's saves are not consecutive: " + last + " then " + revision);
            }
            if (last < 0 && revision != acknowledged + 1) {
                fail("the child's first save stored revision " + revision
                        + ", but the last acknowledged revision was " + acknowledged);
            }
            last = revision;
        }
        return last < 0 ? acknowledged : last;
    }

    /**
     * Reopens the store after a kill: every file readable, the stored revision is the last
     * acknowledged one or the one the child was killed before reporting, the state and archive
     * are exactly what that many saves produce, and the next write leaves no temp file.
     *
     * @return the revision the parent's own write stored
     */
    private long verifyAndWriteOnce(Path root, long reported, Figures figures, String context,
                                    ChildJvm child) {
        if (child.lines().size() <= 1) {
            figures.noSaveInLife++;
        }
        Path sm = root.resolve("sm");
        if (!tempFiles(sm).isEmpty()) {
            figures.tempLeftBehind++;
        }
        if (endsInATornLine(sm)) {
            figures.tornArchiveLine++;
        }
        try (ConversationStore store = ConversationStore.open(root)) {
            CheckReport report = store.check(false);
            for (CheckReport.Finding finding : report.findings()) {
                assertEquals(CheckReport.Kind.STALE_TEMP, finding.kind(),
                        context + ": " + finding);
            }
            Conversation stored = store.load(CONV_ID);
            long revision = stored.revision();
            if (revision != reported && revision != reported + 1) {
                fail(context + ": stored revision is " + revision + ", expected " + reported
                        + " or " + (reported + 1) + "\n" + child.describe());
            }
            if (revision == reported + 1) {
                figures.savedButUnreported++;
            }
            String difference = DeterministicHistory.difference(
                    DeterministicHistory.after(CONV_ID, revision), stored);
            assertEquals("", difference, context);
            verifyArchive(store, stored, context);
            List<ConversationSummary> listed = store.list();
            if (revision == 0) {
                assertEquals(List.of(), listed, context + ": nothing was ever saved");
            } else {
                assertEquals(1, listed.size(), context + ": " + listed);
                assertEquals(CONV_ID, listed.get(0).convId(), context);
                assertEquals(revision, listed.get(0).revision(), context);
            }

            Conversation written = store.save(DeterministicHistory.advance(stored,
                    rounds -> store.appendArchive(CONV_ID, rounds)));
            assertEquals(revision + 1, written.revision(), context);
            assertEquals(List.of(), tempFiles(sm), context + ": temp files after the next save");
            CheckReport after = store.check(false);
            assertTrue(after.isClean(), context + ": check after the next save: " + after);
            return written.revision();
        }
    }

    /**
     * Every compacted round is in the archive, exactly as it was appended; a crash between
     * archiving and saving may archive a round twice, never differently.
     */
    private static void verifyArchive(ConversationStore store, Conversation stored,
                                      String context) {
        Map<Long, Round> archived = new TreeMap<>();
        try (Stream<Round> rounds = store.archive(CONV_ID)) {
            rounds.forEach(round -> {
                assertEquals(DeterministicHistory.round(round.seq()), round,
                        context + ": archived round " + round.seq());
                archived.put(round.seq(), round);
            });
        }
        for (long seq = 1; seq <= stored.counters().compactedRounds(); seq++) {
            assertTrue(archived.containsKey(seq), context + ": compacted round " + seq
                    + " is missing from the archive");
        }
    }

    /** Whether an archive in {@code sm/} ends without its newline: a kill tore an append. */
    private static boolean endsInATornLine(Path sm) {
        if (!Files.isDirectory(sm)) {
            return false;
        }
        try (Stream<Path> files = Files.list(sm)) {
            for (Path archive : files.filter(f -> f.toString().endsWith(".jsonl")).toList()) {
                byte[] bytes = Files.readAllBytes(archive);
                if (bytes.length > 0 && bytes[bytes.length - 1] != '\n') {
                    return true;
                }
            }
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Path> tempFiles(Path sm) {
        if (!Files.isDirectory(sm)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(sm)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
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

    /** What the kills hit, printed so a reader can see the test exercised the write protocol. */
    private static final class Figures {
        long saves;
        int tempLeftBehind;
        int savedButUnreported;
        int noSaveInLife;
        int tornArchiveLine;

        void add(Figures other) {
            saves += other.saves;
            tempLeftBehind += other.tempLeftBehind;
            savedButUnreported += other.savedButUnreported;
            noSaveInLife += other.noSaveInLife;
            tornArchiveLine += other.tornArchiveLine;
        }
    }
}
