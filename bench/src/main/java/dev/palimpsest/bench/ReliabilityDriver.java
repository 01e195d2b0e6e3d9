package dev.palimpsest.bench;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.ExtractiveSummarizer;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.file.CheckReport;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Java side of the reliability scripts ({@code bench/kill9-loop.sh},
 * {@code bench/contention.sh}, {@code bench/powerloss.sh}).
 *
 * <pre>
 * append --root DIR --writer engine|no-fsync|in-place --tag TAG [--count N]
 *        [--max-rounds N] [--keep-rounds N] [--checkpoint-every N] [--segment-bytes N] CONV...
 *     appends rounds round-robin to the conversations and prints
 *     {@code ACK<TAB>conv<TAB>seq<TAB>user} after each append has returned (for the engine:
 *     once the round is durable in the log), flushed at once, so that a line in the acknowledgement log means
 *     "acknowledged". Without --count it appends until killed. With the engine, every message
 *     has an id; the appender first sends each conversation's newest stored round again (a
 *     retry across the kill) and sends one round in ten again at once, and fails if a retry
 *     appends anything.
 * verify --root DIR --writer W [--final] [--exact] ACKFILE...
 *     checks every acknowledged round against what is stored and prints one summary line:
 *     unreadable conversations, lost acknowledged rounds (missing, or another text at that
 *     number), duplicated rounds, gaps in the numbering, and temp files. With --final (engine),
 *     appends once more to each conversation and counts the temp files that are still left.
 *     With --exact (every appender finished), the rounds stored must be exactly those
 *     acknowledged. Exits 0 when clean, 1 when anything was found.
 * </pre>
 */
public final class ReliabilityDriver {
    private static final int ASSISTANT_CHARS = 1000;

    private ReliabilityDriver() {
    }

    /**
     * Entry point.
     *
     * @param args the command line
     * @throws Exception if the driver failed
     */
    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /**
     * Runs a command and returns its exit code (0 for {@code append}, which only returns after
     * {@code --count} rounds).
     *
     * @param args the command line
     * @param out  where acknowledgements and the verification summary go
     * @return the exit code
     * @throws Exception if the driver failed
     */
    static int run(String[] args, PrintStream out) throws Exception {
        Args a = Args.parse(args);
        return switch (a.command) {
            case "append" -> {
                append(a, out);
                yield 0;
            }
            case "verify" -> verify(a, out);
            default -> throw new BenchException("unknown command: " + a.command);
        };
    }

    /** The assistant text the driver writes for a user text; checked on verify. */
    static String assistantFor(String user) {
        return TypicalState.text(user.hashCode(), ASSISTANT_CHARS);
    }

    private static void append(Args a, PrintStream out) throws Exception {
        // Straight to the file descriptor when it is standard output: no buffer can hold back
        // an acknowledgement when the process is killed.
        PrintStream acks = out == System.out ? new PrintStream(
                new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8) : out;
        long limit = a.count < 0 ? Long.MAX_VALUE : a.count;
        if (a.writer.equals("engine")) {
            try (FileConversationStore store = open(a);
                 ConversationEngine engine = engine(store, a)) {
                // A new life first sends the newest stored round of each conversation again, as
                // an agent that cannot tell whether its last append was acknowledged does: its
                // message ids must make that a retry, whatever the kill left of the id index.
                for (String conv : a.convs) {
                    List<Round> recent = store.load(conv).map(s -> s.recentRounds())
                            .orElse(List.of());
                    if (!recent.isEmpty()) {
                        retry(engine, conv, recent.get(recent.size() - 1).messages().stream()
                                .map(StoredMessage::message).toList());
                    }
                }
                java.util.SplittableRandom random = new java.util.SplittableRandom();
                for (long i = 0; i < limit; i++) {
                    String conv = a.convs.get((int) (i % a.convs.size()));
                    String user = a.tag + ":" + i;
                    List<Message> round = List.of(Message.user(user).withId(user + "/u"),
                            Message.assistant(assistantFor(user)).withId(user + "/a"));
                    long seq = engine.append(conv, round, Expectation.none()).appended()
                            .messages().get(0).roundSeq();
                    ack(acks, conv, seq, user);
                    if (random.nextInt(10) == 0) {
                        retry(engine, conv, round);
                    }
                }
            }
        } else {
            PlainWriter writer = new PlainWriter(a.root, plainMode(a.writer));
            for (long i = 0; i < limit; i++) {
                String conv = a.convs.get((int) (i % a.convs.size()));
                String user = a.tag + ":" + i;
                ack(acks, conv, writer.append(conv, user), user);
            }
        }
    }

    /** Sends a stored round again: the store must find every message stored and add none. */
    private static void retry(ConversationEngine engine, String conv, List<Message> round) {
        var result = engine.append(conv, round, Expectation.none()).appended();
        if (!result.retried()) {
            throw new BenchException("a retry of a stored round of " + conv + " appended "
                    + (round.size() - result.alreadyStored()) + " of its " + round.size()
                    + " messages again (ids " + round.stream().map(m -> m.id().orElse("-"))
                    .toList() + ")");
        }
    }

    /**
     * Opens the store with checkpoints every {@code --checkpoint-every} records (default 16), so
     * that kills land in checkpoints and in the log ahead of one, and segments of
     * {@code --segment-bytes} (default 256 KiB), so that they land in rotations too.
     */
    private static FileConversationStore open(Args a) throws IOException {
        Files.createDirectories(a.root);
        FileStoreOptions d = FileStoreOptions.DEFAULTS;
        return FileConversationStore.open(a.root, new FileStoreOptions(a.checkpointEvery,
                d.checkpointEveryBytes(), a.segmentBytes, d.preallocateBytes(),
                d.maxRecordBytes()));
    }

    private static ConversationEngine engine(FileConversationStore store, Args a) {
        // A small window, so that compaction is exercised every few rounds.
        return ConversationEngine.builder(store)
                .policy(new CompactionPolicy(a.maxRounds, a.keepRounds, 1_000_000))
                .summarizer(ExtractiveSummarizer.withDefaultBudget())
                .build();
    }

    private static void ack(PrintStream acks, String conv, long seq, String user) {
        acks.print("ACK\t" + conv + "\t" + seq + "\t" + user + "\n");
        acks.flush();
    }

    private static PlainWriter.Mode plainMode(String writer) {
        return switch (writer) {
            case "no-fsync" -> PlainWriter.Mode.NO_FSYNC;
            case "in-place" -> PlainWriter.Mode.IN_PLACE;
            default -> throw new BenchException("writer must be engine, no-fsync or in-place, was '"
                    + writer + "'");
        };
    }

    /** One acknowledged round. */
    private record Ack(String conv, long seq, String user) {
    }

    private static int verify(Args a, PrintStream out) throws IOException {
        Map<String, List<Ack>> acks = new LinkedHashMap<>();
        int ackCount = 0;
        for (Path file : a.ackFiles) {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String[] f = line.split("\t", -1);
                if (f.length == 4 && f[0].equals("ACK")) {
                    acks.computeIfAbsent(f[1], k -> new ArrayList<>())
                            .add(new Ack(f[1], Long.parseLong(f[2]), f[3]));
                    ackCount++;
                }
            }
        }
        Findings found = new Findings();
        Path tempDir = a.root.resolve(a.writer.equals("engine") ? "sm" : "plain");
        long tempsAfterCrash = countTemps(tempDir);
        if (a.writer.equals("engine")) {
            try (FileConversationStore store = open(a);
                 ConversationEngine engine = engine(store, a)) {
                for (Map.Entry<String, List<Ack>> e : acks.entrySet()) {
                    List<Round> rounds;
                    try {
                        store.load(e.getKey());
                        rounds = allRounds(engine, e.getKey());
                    } catch (RuntimeException ex) {
                        found.unreadable(e.getKey(), ex.toString());
                        continue;
                    }
                    Map<Long, String> bySeq = new TreeMap<>();
                    for (Round r : rounds) {
                        List<StoredMessage> m = r.messages();
                        if (m.size() != 2 || !m.get(1).message().content()
                                .equals(assistantFor(m.get(0).message().content()))) {
                            found.unreadable(e.getKey(), "round " + r.seq()
                                    + " is not the user and assistant text that were written");
                        }
                        bySeq.put(r.seq(), m.get(0).message().content());
                    }
                    check(e.getKey(), rounds.size(), bySeq, e.getValue(), found);
                    if (a.exact && rounds.size() != e.getValue().size()) {
                        found.duplicated(e.getKey(), rounds.size() + " rounds stored, "
                                + e.getValue().size() + " acknowledged by appenders that all "
                                + "finished");
                    }
                }
                CheckReport report = store.check(false);
                for (CheckReport.Finding f : report.findings()) {
                    // A torn tail and a leftover temp file are what a kill leaves, by design;
                    // anything else means something acknowledged may be unreadable.
                    if (f.problem() != CheckReport.Problem.TORN_TAIL
                            && f.problem() != CheckReport.Problem.LEFTOVER_TEMP_FILE) {
                        found.unreadable(f.file(), f.problem() + ": "
                                + f.detail());
                    }
                }
                if (a.finalCheck) {
                    // Every conversation of the root gets one more write, not only this
                    // cycle's: the promise is that the next write of a conversation removes
                    // what a crash left, and the earlier cycles' conversations are never
                    // written again otherwise (each cycle uses new ones).
                    java.util.Optional<String> after = java.util.Optional.empty();
                    do {
                        dev.palimpsest.store.ConversationPage page = store.list(after, 1000);
                        for (String conv : page.ids()) {
                            String user = "final:" + conv;
                            engine.appendRound(conv, user, assistantFor(user));
                        }
                        after = page.next();
                    } while (after.isPresent());
                    found.leftoverTemps = countTemps(tempDir);
                    if (found.leftoverTemps > 0) {
                        try (Stream<Path> files = Files.list(tempDir)) {
                            files.filter(p -> p.getFileName().toString().endsWith(".tmp"))
                                    .forEach(p -> found.details.add("leftover temp " + p
                                            .getFileName() + " (" + p.toFile().length()
                                            + " bytes)"));
                        }
                    }
                }
            }
        } else {
            for (Map.Entry<String, List<Ack>> e : acks.entrySet()) {
                PlainWriter.Contents contents;
                try {
                    contents = PlainWriter.read(a.root, e.getKey());
                } catch (IOException | RuntimeException ex) {
                    found.unreadable(e.getKey(), ex.getMessage());
                    continue;
                }
                Map<Long, String> bySeq = new TreeMap<>();
                for (int i = 0; i < contents.users().size(); i++) {
                    bySeq.put((long) i + 1, contents.users().get(i));
                }
                check(e.getKey(), contents.users().size(), bySeq, e.getValue(), found);
            }
        }
        out.printf("VERIFY writer=%s conversations=%d acked=%d unreadable=%d lost=%d "
                        + "duplicated=%d gaps=%d temps_after_crash=%d leftover_temps=%s%n",
                a.writer, acks.size(), ackCount, found.unreadable, found.lost, found.duplicated,
                found.gaps, tempsAfterCrash,
                a.finalCheck ? Long.toString(found.leftoverTemps) : "-");
        found.details.stream().limit(10).forEach(d -> out.println("  " + d));
        return found.clean() ? 0 : 1;
    }

    /** Every round of the conversation, read page by page. */
    private static List<Round> allRounds(ConversationEngine engine, String conv) {
        List<Round> all = new ArrayList<>();
        while (true) {
            List<Round> page = engine.rounds(conv, all.size() + 1L, 1000);
            all.addAll(page);
            if (page.size() < 1000) {
                return all;
            }
        }
    }

    private static void check(String conv, int roundCount, Map<Long, String> bySeq,
                              List<Ack> acked, Findings found) {
        // Numbering contiguous from 1, and no round stored twice.
        long expected = 1;
        for (long seq : bySeq.keySet()) {
            if (seq != expected) {
                found.gap(conv, "expected seq " + expected + ", found " + seq);
                expected = seq;
            }
            expected++;
        }
        if (roundCount != bySeq.size()) {
            found.duplicated(conv, (roundCount - bySeq.size()) + " rounds share a seq");
        }
        Map<String, Long> seqOfText = new HashMap<>();
        for (Map.Entry<Long, String> r : bySeq.entrySet()) {
            Long previous = seqOfText.put(r.getValue(), r.getKey());
            if (previous != null) {
                found.duplicated(conv, "'" + r.getValue() + "' stored at " + previous + " and "
                        + r.getKey());
            }
        }
        for (Ack ack : acked) {
            String stored = bySeq.get(ack.seq());
            if (!ack.user().equals(stored)) {
                found.lost(conv, "acknowledged seq " + ack.seq() + " '" + ack.user() + "', stored "
                        + (stored == null ? "nothing" : "'" + stored + "'"));
            }
        }
    }

    private static long countTemps(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    /** What a verification found, with the first details. */
    private static final class Findings {
        long unreadable;
        long lost;
        long duplicated;
        long gaps;
        long leftoverTemps;
        final List<String> details = new ArrayList<>();

        void unreadable(String conv, String detail) {
            unreadable++;
            details.add("unreadable " + conv + ": " + detail);
        }

        void lost(String conv, String detail) {
            lost++;
            details.add("lost " + conv + ": " + detail);
        }

        void duplicated(String conv, String detail) {
            duplicated++;
            details.add("duplicated " + conv + ": " + detail);
        }

        void gap(String conv, String detail) {
            gaps++;
            details.add("gap " + conv + ": " + detail);
        }

        boolean clean() {
            return unreadable == 0 && lost == 0 && duplicated == 0 && gaps == 0
                    && leftoverTemps == 0;
        }
    }

    /** The parsed command line. */
    private static final class Args {
        String command;
        Path root;
        String writer = "engine";
        String tag = "w";
        long count = -1;
        int maxRounds = 8;
        int keepRounds = 4;
        int checkpointEvery = 16;
        long segmentBytes = 256 * 1024;
        boolean finalCheck;
        boolean exact;
        final List<String> convs = new ArrayList<>();
        final List<Path> ackFiles = new ArrayList<>();

        static Args parse(String[] args) {
            if (args.length == 0) {
                throw new BenchException("usage: append|verify --root DIR [options] ARGS...");
            }
            Args a = new Args();
            a.command = args[0];
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "--root" -> a.root = Path.of(value(args, ++i, arg));
                    case "--writer" -> a.writer = value(args, ++i, arg);
                    case "--tag" -> a.tag = value(args, ++i, arg);
                    case "--count" -> a.count = Long.parseLong(value(args, ++i, arg));
                    case "--max-rounds" -> a.maxRounds = Integer.parseInt(value(args, ++i, arg));
                    case "--keep-rounds" -> a.keepRounds = Integer.parseInt(value(args, ++i, arg));
                    case "--checkpoint-every" ->
                            a.checkpointEvery = Integer.parseInt(value(args, ++i, arg));
                    case "--segment-bytes" ->
                            a.segmentBytes = Long.parseLong(value(args, ++i, arg));
                    case "--final" -> a.finalCheck = true;
                    case "--exact" -> a.exact = true;
                    default -> {
                        if (a.command.equals("verify")) {
                            a.ackFiles.add(Path.of(arg));
                        } else {
                            a.convs.add(arg);
                        }
                    }
                }
            }
            if (a.root == null) {
                throw new BenchException("--root is required");
            }
            if (a.command.equals("append") && a.convs.isEmpty()) {
                throw new BenchException("append needs at least one conversation id");
            }
            return a;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new BenchException(option + " needs a value");
            }
            return args[i];
        }
    }
}
