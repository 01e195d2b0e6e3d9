package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated sequences of appends, forced compactions, injected summarizer failures and injected
 * crashes between archiving and saving, with every invariant checked after every step.
 */
class EngineInvariantsTest {
    private static final int CASES = 40;
    private static final int STEPS = 160;
    private static final String[] WORDS = {"parcel", "invoice", "refund", "Zürich", "日本語",
        "😀", "déjà", "vu", "tool_call", "42", "\n", "  ", "x", "über", "Привет", ""};

    @TempDir
    Path root;

    @Test
    void transcriptCountersAndWindowHoldOverGeneratedSequences() {
        Seeds.run("engine invariants over generated sequences", random -> {
            for (int c = 0; c < CASES; c++) {
                InMemoryConversationStore store = new InMemoryConversationStore();
                runCase(random, "case " + c, store, Optional.of(store), STEPS);
            }
        });
    }

    @Test
    void transcriptCountersAndWindowHoldOnTheFileStore() {
        Seeds.run("engine invariants on the file store", random -> {
            try (ConversationStore store = ConversationStore.open(root)) {
                for (int c = 0; c < 3; c++) {
                    runCase(random, "file case " + c, store, Optional.empty(), 60);
                }
            }
        });
    }

    /**
     * Runs one generated sequence; crashes between archiving and saving are injected only when
     * the store can simulate them.
     */
    private static void runCase(Random random, String name, ConversationStore store,
                                Optional<InMemoryConversationStore> crashable, int steps) {
        int maxRounds = 2 + random.nextInt(11);
        CompactionPolicy policy = new CompactionPolicy(maxRounds, 1 + random.nextInt(maxRounds - 1),
                50 + random.nextInt(3_000));
        int budget = 200 + random.nextInt(1_500);
        SwitchableSummarizer summarizer = new SwitchableSummarizer(budget);
        ConversationEngine engine = ConversationEngine.builder(store).policy(policy)
                .summarizer(summarizer).clock(new TickingClock()).build();
        String id = name + " conv-" + random.nextInt(1000);
        List<String[]> appended = new ArrayList<>();
        boolean crashed = false;
        for (int step = 0; step < steps; step++) {
            String where = name + " " + policy + " budget " + budget + ", step " + step;
            int op = random.nextInt(20);
            if (op == 0) {
                summarizer.failing(random.nextBoolean());
            } else if (op == 1) {
                summarizer.failing(false);
                try {
                    engine.compact(id);
                } catch (dev.palimpsest.persist.StoreIOException e) {
                    assertTrue(crashed, where + ": unexpected " + e);
                }
            } else if (op == 2 && crashable.isPresent()) {
                crashable.get().crashAfterArchiveAppend(1);
                crashed = true;
            } else {
                boolean failing = random.nextInt(8) == 0;
                summarizer.failing(failing);
                String user = text(random);
                String assistant = text(random);
                AppendResult result = engine.append(id, user, assistant);
                appended.add(new String[] {user, assistant});
                assertEquals(appended.size(), result.round().seq(), where);
                Conversation state = result.state();
                if (!failing && result.compaction().status() != Status.FAILED) {
                    assertTrue(state.recentRounds().size() <= policy.maxRounds(),
                            where + ": window of " + state.recentRounds().size());
                    long tokens = state.counters().contextTokens()
                            + state.counters().recentTokens();
                    assertTrue(tokens <= policy.maxTokens()
                                    || state.recentRounds().size() <= policy.keepRounds(),
                            where + ": " + tokens + " tokens in " + state.recentRounds().size()
                                    + " rounds");
                }
            }
            checkInvariants(engine, store, id, appended, budget, crashed, where);
        }
    }

    private static void checkInvariants(ConversationEngine engine,
                                        ConversationStore store, String id,
                                        List<String[]> appended, int budget, boolean crashed,
                                        String where) {
        Conversation state = store.load(id);
        List<Round> transcript = engine.transcript(id);
        assertEquals(appended.size(), transcript.size(), where + ": transcript size");
        for (int i = 0; i < transcript.size(); i++) {
            Round round = transcript.get(i);
            assertEquals(i + 1, round.seq(), where + ": seq at " + i);
            assertEquals(appended.get(i)[0], round.user(), where + ": user of " + (i + 1));
            assertEquals(appended.get(i)[1], round.assistant(), where + ": assistant of " + (i + 1));
        }
        assertTrue(state.compressedContext().length() <= budget,
                where + ": context of " + state.compressedContext().length() + " chars");
        List<Round> rawArchive;
        try (Stream<Round> rounds = store.archive(id)) {
            rawArchive = rounds.collect(Collectors.toList());
        }
        Set<Long> archived = new TreeSet<>();
        for (Round r : rawArchive) {
            archived.add(r.seq());
        }
        long total = state.counters().roundsTotal();
        assertEquals(appended.size(), total, where + ": rounds_total");
        if (crashed) {
            assertTrue(archived.size() >= state.counters().compactedRounds(), where);
        } else {
            assertEquals(archived.size(), state.counters().compactedRounds(),
                    where + ": compacted_rounds = archived");
            assertEquals(rawArchive.size(), archived.size(),
                    where + ": no duplicate without a crash");
        }
        assertEquals(total, state.counters().compactedRounds() + state.recentRounds().size(),
                where + ": rounds_total = compacted + recent");
        TokenCounter counter = TokenCounter.estimating();
        long recent = 0;
        for (Round r : state.recentRounds()) {
            recent += counter.count(r.user()) + counter.count(r.assistant())
                    + 2 * ConversationEngine.MESSAGE_OVERHEAD_TOKENS;
        }
        assertEquals(recent, state.counters().recentTokens(), where + ": recent tokens");
    }

    private static String text(Random random) {
        int words = random.nextInt(10) == 0 ? 200 + random.nextInt(400) : random.nextInt(30);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
        }
        return text.toString();
    }
}
