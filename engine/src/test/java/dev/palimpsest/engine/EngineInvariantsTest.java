package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.CompactionOutcome.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Generated sequences of appends, forced compactions, injected summarizer failures and injected
 * crashes between archiving and saving, with every invariant checked after every step.
 */
class EngineInvariantsTest {
    private static final int CASES = 40;
    private static final int STEPS = 160;
    private static final String[] WORDS = {"parcel", "invoice", "refund", "Zürich", "日本語",
        "😀", "déjà", "vu", "tool_call", "42", "\n", "  ", "x", "über", "Привет", ""};

    @Test
    void transcriptCountersAndWindowHoldOverGeneratedSequences() {
        Seeds.run("engine invariants over generated sequences", random -> {
            for (int c = 0; c < CASES; c++) {
                runCase(random, "case " + c);
            }
        });
    }

    private static void runCase(Random random, String name) {
        int maxRounds = 2 + random.nextInt(11);
        CompactionPolicy policy = new CompactionPolicy(maxRounds, 1 + random.nextInt(maxRounds - 1),
                50 + random.nextInt(3_000));
        int budget = 200 + random.nextInt(1_500);
        InMemoryConversationStore store = new InMemoryConversationStore();
        SwitchableSummarizer summarizer = new SwitchableSummarizer(budget);
        ConversationEngine engine = ConversationEngine.builder(store).policy(policy)
                .summarizer(summarizer).clock(new TickingClock()).build();
        String id = "conv-" + random.nextInt(1000);
        List<String[]> appended = new ArrayList<>();
        boolean crashed = false;
        for (int step = 0; step < STEPS; step++) {
            String where = name + " " + policy + " budget " + budget + ", step " + step;
            int op = random.nextInt(20);
            if (op == 0) {
                summarizer.failing(!isFailing(summarizer, random));
            } else if (op == 1) {
                summarizer.failing(false);
                try {
                    engine.compact(id);
                } catch (dev.palimpsest.persist.StoreIOException e) {
                    assertTrue(crashed, where + ": unexpected " + e);
                }
            } else if (op == 2) {
                store.crashAfterArchiveAppend(1);
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

    private static boolean isFailing(SwitchableSummarizer summarizer, Random random) {
        return random.nextBoolean();
    }

    private static void checkInvariants(ConversationEngine engine,
                                        InMemoryConversationStore store, String id,
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
        Set<Long> archived = new TreeSet<>();
        for (Round r : store.rawArchive(id)) {
            archived.add(r.seq());
        }
        long total = state.counters().roundsTotal();
        assertEquals(appended.size(), total, where + ": rounds_total");
        if (crashed) {
            assertTrue(archived.size() >= state.counters().compactedRounds(), where);
        } else {
            assertEquals(archived.size(), state.counters().compactedRounds(),
                    where + ": compacted_rounds = archived");
            assertEquals(store.rawArchive(id).size(), archived.size(),
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
