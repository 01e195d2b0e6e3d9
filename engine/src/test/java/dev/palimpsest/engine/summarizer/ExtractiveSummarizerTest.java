package dev.palimpsest.engine.summarizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.testkit.Seeds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ExtractiveSummarizerTest {
    private static final String[] WORDS = {"shipment", "invoice", "refund", "warehouse",
        "Zürich", "日本語", "😀", "déjà", "customer", "parcel", "tracking", "number", "delayed",
        "Montag", "Привет", "a", "the", "and", "42", "2026-11-25"};

    private static Round round(long seq, String user, String assistant) {
        return new Round(seq, user, assistant, Instant.EPOCH);
    }

    private static String sentence(Random random, int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) {
            text.append(WORDS[random.nextInt(WORDS.length)])
                    .append(random.nextInt(12) == 0 ? ".\n" : " ");
        }
        return text.toString();
    }

    static boolean hasUnpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theBudgetHoldsOverTenThousandRounds() {
        Seeds.run("extractive budget over 10,000 rounds", random -> {
            for (int budget : new int[] {ExtractiveSummarizer.MIN_BUDGET, 700,
                    ExtractiveSummarizer.DEFAULT_BUDGET}) {
                ExtractiveSummarizer summarizer = ExtractiveSummarizer.withBudget(budget);
                String context = "";
                long seq = 1;
                while (seq <= 10_000) {
                    List<Round> evicted = new ArrayList<>();
                    int batch = 1 + random.nextInt(30);
                    for (int i = 0; i < batch && seq <= 10_000; i++, seq++) {
                        evicted.add(round(seq, sentence(random, random.nextInt(80)),
                                sentence(random, random.nextInt(300))));
                    }
                    context = summarizer.summarize(new SummaryRequest("c", context, evicted));
                    assertTrue(context.length() <= budget, "budget " + budget + " at round "
                            + (seq - 1) + ": " + context.length());
                    assertFalse(context.isBlank());
                    assertFalse(hasUnpairedSurrogate(context));
                    long last = seq - 1;
                    assertTrue(context.contains("#" + last + " user: "),
                            "the newest round " + last + " is always in the digest");
                }
                assertTrue(context.startsWith(ExtractiveSummarizer.TOPICS_PREFIX), context);
            }
        });
    }

    @Test
    void theDigestMergesThePreviousContextAndIsDeterministic() {
        SummaryRequest request = new SummaryRequest("c", "#1 user: hi | assistant: hello",
                List.of(round(2, "Where is my parcel?\n\tIt was due Monday.",
                        "It left the warehouse today.")));
        String summary = ExtractiveSummarizer.withDefaultBudget().summarize(request);
        assertEquals("#1 user: hi | assistant: hello\n"
                + "#2 user: Where is my parcel? It was due Monday. | assistant: It left the "
                + "warehouse today.", summary);
        assertEquals(summary, ExtractiveSummarizer.withDefaultBudget().summarize(request));
    }

    @Test
    void foldedRoundsLeaveTheirMostFrequentWordsInTheTopicsLine() {
        ExtractiveSummarizer summarizer = ExtractiveSummarizer.withBudget(400);
        List<Round> rounds = new ArrayList<>();
        for (long seq = 1; seq <= 12; seq++) {
            rounds.add(round(seq, "refund refund invoice number " + seq,
                    "the refund for invoice " + seq + " is approved"));
        }
        String summary = summarizer.summarize(new SummaryRequest("c", "", rounds));
        assertTrue(summary.length() <= 400, summary);
        String topics = summary.lines().findFirst().orElseThrow();
        assertTrue(topics.startsWith(ExtractiveSummarizer.TOPICS_PREFIX + "refund, invoice"),
                topics);
        assertTrue(summary.endsWith("#12 user: refund refund invoice number 12 | assistant: the "
                + "refund for invoice 12 is approved"), summary);
    }

    @Test
    void aForeignContextIsKeptLineByLineAndClippedToTheBudget() {
        ExtractiveSummarizer summarizer = ExtractiveSummarizer.withBudget(300);
        String foreign = "The user ordered a lamp. ".repeat(40) + "\n\n- paid by card\n";
        String summary = summarizer.summarize(new SummaryRequest("c", foreign,
                List.of(round(9, "and now?", "now it ships"))));
        assertTrue(summary.length() <= 300, summary);
        assertTrue(summary.contains("- paid by card"), summary);
        assertTrue(summary.endsWith("#9 user: and now? | assistant: now it ships"), summary);
    }

    @Test
    void cutsNeverSplitASurrogatePair() {
        String emoji = "😀".repeat(200);
        for (int budget = 200; budget < 230; budget++) {
            String summary = ExtractiveSummarizer.withBudget(budget).summarize(
                    new SummaryRequest("c", emoji, List.of(round(1, emoji, emoji))));
            assertFalse(hasUnpairedSurrogate(summary), "budget " + budget);
            assertTrue(summary.length() <= budget);
        }
    }

    @Test
    void longTextsAreCutAtAWordAndMarkedWithAnEllipsis() {
        String user = "word ".repeat(10_000);
        String summary = ExtractiveSummarizer.withDefaultBudget().summarize(
                new SummaryRequest("c", "", List.of(round(1, user, "short\n"))));
        String expectedUser = "word ".repeat(32).strip() + "\u2026";
        assertEquals("#1 user: " + expectedUser + " | assistant: short", summary);
        assertEquals("exactly", ExtractiveSummarizer.clean("  exactly \n\t ", 8));
    }

    @Test
    void budgetsBelowTheMinimumAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ExtractiveSummarizer.withBudget(199));
        assertEquals("budget must be >= 200 characters, was 199", e.getMessage());
        assertEquals(ExtractiveSummarizer.DEFAULT_BUDGET,
                ExtractiveSummarizer.withDefaultBudget().budget());
    }
}
