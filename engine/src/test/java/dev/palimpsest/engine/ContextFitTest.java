package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.testkit.Seeds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The fitting of a context to a budget, on generated conversations (seed printed). */
class ContextFitTest {
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    /** Rounds 1..n, round r of {@code tokens[r-1]} tokens in one or two messages. */
    private static List<Round> rounds(long[] tokens, Random random) {
        List<Round> out = new ArrayList<>();
        long seq = 1;
        for (int r = 0; r < tokens.length; r++) {
            List<StoredMessage> messages = new ArrayList<>();
            long userTokens = tokens[r] <= 1 || !random.nextBoolean() ? tokens[r] : tokens[r] / 2;
            messages.add(new StoredMessage(seq++, r + 1, T, userTokens, Message.user("u" + r)));
            if (userTokens < tokens[r]) {
                messages.add(new StoredMessage(seq++, r + 1, T, tokens[r] - userTokens,
                        Message.assistant("a" + r)));
            }
            out.add(new Round(r + 1, messages));
        }
        return out;
    }

    @Test
    void everyFitKeepsThePriorityOrderAndTheBudget() {
        Seeds.run("context fit", random -> {
            for (int c = 0; c < 3_000; c++) {
                int total = 1 + random.nextInt(30);
                long[] tokens = new long[total];
                for (int i = 0; i < total; i++) {
                    tokens[i] = 1 + random.nextInt(random.nextBoolean() ? 50 : 400);
                }
                List<Round> all = rounds(tokens, random);
                int compacted = random.nextInt(total);
                List<Round> recent = all.subList(compacted, total);
                String context = compacted == 0 ? "" : "summary ".repeat(1 + random.nextInt(60));
                ConversationState state = state(recent, context, compacted);
                List<Round> found = new ArrayList<>(all);
                Collections.shuffle(found, random);
                found = found.subList(0, random.nextInt(found.size() + 1));
                long budget = 1 + random.nextInt(3_000);
                PromptContext fitted = ContextFit.fit(state, state.compressedContext(), found, budget, String::length);
                check(state, found, budget, fitted);
            }
        });
    }

    private static ConversationState state(List<Round> recent, String context, int compacted) {
        List<StoredMessage> last = recent.get(recent.size() - 1).messages();
        long messages = last.get(last.size() - 1).seq();
        long compactedMessages = recent.get(0).messages().get(0).seq() - 1;
        long tokens = recent.stream().mapToLong(r -> ContextFit.tokens(r, -1)).sum();
        Counters counters = new Counters(compacted + recent.size(), messages, compacted == 0
                ? 0 : 1, compacted, compactedMessages, 0, context.length(), tokens,
                compacted == 0 ? Optional.empty() : Optional.of(T));
        return new ConversationState("c", 1 + compacted, T, Optional.empty(), context, recent,
                counters);
    }

    private static void check(ConversationState state, List<Round> found, long budget,
                              PromptContext fitted) {
        List<Round> recent = state.recentRounds();
        List<Round> kept = fitted.recentRounds();
        assertEquals(recent.get(recent.size() - 1), kept.get(kept.size() - 1),
                "the newest round is always kept");
        assertEquals(recent.subList(recent.size() - kept.size(), recent.size()), kept,
                "kept recent rounds are a stretch ending at the newest");
        Set<Long> keptSeqs = new HashSet<>();
        kept.forEach(r -> keptSeqs.add(r.seq()));
        long used = kept.stream().mapToLong(r -> ContextFit.tokens(r, -1)).sum()
                + fitted.compressedContext().length();
        long previous = 0;
        for (Round r : fitted.recalledRounds()) {
            assertTrue(found.contains(r), "recalled only what was found");
            assertTrue(!keptSeqs.contains(r.seq()), "never both recalled and recent");
            assertTrue(r.seq() > previous, "recalled rounds in seq order, once each");
            previous = r.seq();
            used += ContextFit.tokens(r, -1) + ContextFit.RECALLED_MARK_TOKENS;
        }
        long newest = ContextFit.tokens(recent.get(recent.size() - 1), -1);
        if (newest <= budget) {
            assertTrue(used <= budget, "used " + used + " of " + budget);
        } else {
            assertEquals(List.of(recent.get(recent.size() - 1)), kept);
            assertTrue(fitted.recalledRounds().isEmpty());
        }
        assertTrue(fitted.compressedContext().isEmpty()
                || fitted.compressedContext().equals(state.compressedContext()));
        long left = budget - used;
        if (fitted.compressedContext().isEmpty() && !state.compressedContext().isEmpty()) {
            assertTrue(state.compressedContext().length() > budget - newest,
                    "the context is left out only when it does not fit beside the newest round");
        }
        for (Round r : found) {
            if (!keptSeqs.contains(r.seq()) && !fitted.recalledRounds().contains(r)) {
                assertTrue(ContextFit.tokens(r, -1) + ContextFit.RECALLED_MARK_TOKENS > left,
                        "found round " + r.seq() + " left out although " + left + " were left");
            }
        }
        if (kept.size() < recent.size()) {
            Round next = recent.get(recent.size() - kept.size() - 1);
            boolean recalledInstead = fitted.recalledRounds().contains(next);
            assertTrue(recalledInstead || ContextFit.tokens(next, -1) > left,
                    "recent round " + next.seq() + " left out although " + left + " were left");
        }
    }

    @Test
    void recalledRoundsComeBeforeOlderRecentRoundsWithinHalfTheBudget() {
        Random unused = new Random(1);
        List<Round> all = rounds(new long[] {100, 100, 100, 100, 100, 100}, unused);
        ConversationState state = state(all.subList(2, 6), "", 2);
        // 1,000 tokens: newest 100, then half of 900 for recall (rounds 1 and 2 with their marks),
        // then recent rounds 5, 4 and 3 (300) ... 900 - 232 = 668 left: all three fit.
        PromptContext fitted = ContextFit.fit(state, "", List.of(all.get(1), all.get(0)), 1_000,
                String::length);
        assertEquals(List.of(1L, 2L), fitted.recalledRounds().stream().map(Round::seq).toList());
        assertEquals(List.of(3L, 4L, 5L, 6L), fitted.recentRounds().stream().map(Round::seq)
                .toList());
        // 400 tokens: newest 100; recall gets 150: round 2 (best, 116); recent 5 and 4 fit in the
        // 184 left? 100 then 84: only round 5.
        fitted = ContextFit.fit(state, "", List.of(all.get(1), all.get(0)), 400, String::length);
        assertEquals(List.of(2L), fitted.recalledRounds().stream().map(Round::seq).toList());
        assertEquals(List.of(5L, 6L), fitted.recentRounds().stream().map(Round::seq).toList());
    }
}
