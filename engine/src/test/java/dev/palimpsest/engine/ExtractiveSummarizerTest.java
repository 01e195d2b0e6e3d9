package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.testkit.Seeds;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The offline summarizer keeps its budget and names what each folded round did. */
class ExtractiveSummarizerTest {
    private static final Instant T = Instant.parse("2026-12-04T10:00:00Z");

    private static Round round(long seq, Message... messages) {
        List<StoredMessage> stored = new ArrayList<>();
        for (Message m : messages) {
            stored.add(new StoredMessage(seq * 10 + stored.size(), seq, T, 1, m));
        }
        return new Round(seq, stored);
    }

    private static String fold(String previous, Round... rounds) {
        return ExtractiveSummarizer.withDefaultBudget()
                .summarize(new SummaryRequest("c", previous, List.of(rounds)));
    }

    @Test
    void aFactLineKeepsTheSentenceWithTheValueWhereverItSits() {
        String chatter = "Thanks for walking me through all of that, it was a long afternoon. "
                .repeat(12);
        Round round = round(21, Message.user("Where is my parcel? " + chatter),
                Message.assistant("", List.of(new ToolCall("c", "track_parcel", "{\"id\":7}"))),
                Message.tool("c", "track_parcel", "{\"status\": \"depot\"}"),
                Message.assistant(chatter + "Your tracking number is PX-88412-B and it ships "
                        + "on March 3. " + chatter));
        String summary = fold("", round);
        assertEquals("#21 assistant: Your tracking number is PX-88412-B and it ships on March 3.",
                summary);
    }

    @Test
    void aChangedValueKeepsOnlyItsNewestStatement() {
        String summary = fold("",
                round(3, Message.user("The staging database port is 5433."),
                        Message.assistant("Noted.")),
                round(4, Message.user("The production database port is 5432."),
                        Message.assistant("Noted too.")),
                round(5, Message.user("Actually, change the staging database port to 6543."),
                        Message.assistant("Done.")));
        assertTrue(summary.contains("6543"), summary);
        assertFalse(summary.contains("5433"), "superseded: " + summary);
        assertTrue(summary.contains("5432"), "another fact with shared words stays: " + summary);
    }

    @Test
    void factsAboutDifferentIdentifiersStandSideBySide() {
        String summary = fold("",
                round(1, Message.user("Ticket INC-4011 is assigned to Dana with priority P2.")),
                round(2, Message.user("Ticket INC-4012 is assigned to Dana with priority P1.")),
                round(3, Message.user("Ticket INC-4011 is now assigned to Omar.")));
        assertFalse(summary.contains("#1 "), "restated with a change: " + summary);
        assertTrue(summary.contains("INC-4012 is assigned to Dana"), summary);
        assertTrue(summary.contains("INC-4011 is now assigned to Omar"), summary);
        String versions = fold("",
                round(1, Message.user("The release tag is v2.3.1 for the mobile app.")),
                round(2, Message.user("The release tag is now v2.4.0 for the mobile app.")));
        assertFalse(versions.contains("v2.3.1"), "a version is a value: " + versions);
    }

    @Test
    void aLaterContextRestatementReplacesAFactOfAnEarlierFold() {
        String first = fold("", round(3, Message.user("My preferred editor is Helix."),
                Message.assistant("Good choice.")));
        assertTrue(first.contains("Helix"), first);
        String second = fold(first, round(8, Message.user("Change of plan: my preferred "
                + "editor is Zed now."), Message.assistant("Switched.")));
        assertTrue(second.contains("Zed"), second);
        assertFalse(second.contains("Helix"), second);
    }

    @Test
    void aRoundWithoutFactsLeavesItsGistWhichGoesFirst() {
        String summary = fold("", round(5, Message.user("how are you doing this fine day"),
                Message.assistant("very well, thank you for asking")));
        assertEquals("#5 user: how are you doing this fine day", summary);
        StringBuilder previous = new StringBuilder();
        for (int r = 1; r <= 60; r++) {
            previous.append("#").append(r).append(" user: fact number ").append(1000 + r)
                    .append(" is kept\n");
        }
        String folded = ExtractiveSummarizer.withBudget(1_000).summarize(new SummaryRequest("c",
                previous.toString(), List.of(round(61, Message.user("just chatting")),
                        round(62, Message.user("the gate code is 4417")))));
        assertTrue(folded.length() <= 1_000);
        assertFalse(folded.contains("just chatting"), "the gist goes before any fact: " + folded);
        assertTrue(folded.contains("#62 user: the gate code is 4417"), folded);
        assertTrue(folded.contains("fact number 1060"), "newer facts stay before older ones");
        assertFalse(folded.contains("fact number 1001 "), "the oldest go first: " + folded);
    }

    @Test
    void aPromptLeavesOutWhatARecentRoundSuperseded() {
        ExtractiveSummarizer summarizer = ExtractiveSummarizer.withDefaultBudget();
        String context = fold("", round(3, Message.user("The staging database port is 5433.")),
                round(4, Message.user("The release manager is Priya Raman.")));
        List<Round> recent = List.of(round(9, Message.user("Actually, change the staging "
                + "database port to 6543.")), round(10, Message.user("thanks")));
        String shown = summarizer.withoutSuperseded(context, recent);
        assertFalse(shown.contains("5433"), shown);
        assertTrue(shown.contains("Priya Raman"), shown);
        assertEquals(context, summarizer.withoutSuperseded(context, List.of(round(9,
                Message.user("nothing new here")))), "unchanged when nothing is restated");
        try (InMemoryConversationStore store = new InMemoryConversationStore();
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.never(1)).build()) {
            engine.appendRound("c", "The staging database port is 5433.", "noted");
            engine.appendRound("c", "hello", "hi");
            engine.compact("c");
            engine.appendRound("c", "Actually, change the staging database port to 6543.",
                    "done");
            assertTrue(store.load("c").orElseThrow().compressedContext().contains("5433"),
                    "the stored context is unchanged");
            PromptContext prompt = engine.context("c");
            assertFalse(prompt.compressedContext().contains("5433"), prompt.asText());
            assertTrue(prompt.asText().contains("6543"), prompt.asText());
        }
    }

    @Test
    void anotherSummarizersProseIsKeptLineByLine() {
        String prose = "The user is migrating a billing service to Kubernetes.\nThey chose "
                + "region eu-west-1 and a budget of 400 EUR per month.";
        String summary = fold(prose, round(30, Message.user("the cluster is named atlas-prod")));
        assertTrue(summary.startsWith(prose + "\n#30 user: "), summary);
    }

    @Test
    void foldingManyGeneratedRoundsNeverExceedsTheBudget() {
        Seeds.run("extractive summarizer budget", random -> {
            int budget = ExtractiveSummarizer.MIN_BUDGET + random.nextInt(2_000);
            ExtractiveSummarizer summarizer = ExtractiveSummarizer.withBudget(budget);
            String context = "";
            long seq = 1;
            for (int fold = 0; fold < 50; fold++) {
                List<Round> rounds = new ArrayList<>();
                for (int r = 0; r < 1 + random.nextInt(5); r++) {
                    rounds.add(round(random, seq++));
                }
                context = summarizer.summarize(new SummaryRequest("c", context, rounds));
                assertTrue(context.length() <= budget, context.length() + " > " + budget);
                assertTrue(context.contains("#" + (seq - 1) + " "),
                        "the newest round always survives");
            }
        });
    }

    private static Round round(Random random, long seq) {
        List<Message> parts = new ArrayList<>();
        parts.add(Message.user(words(random)));
        if (random.nextBoolean()) {
            parts.add(Message.assistant("", List.of(
                    new ToolCall("c" + seq, "tool" + random.nextInt(9), "{}"))));
            parts.add(Message.tool("c" + seq, "tool", words(random)));
        }
        parts.add(Message.assistant(words(random)));
        List<StoredMessage> messages = new ArrayList<>();
        for (Message m : parts) {
            messages.add(new StoredMessage(seq * 10 + messages.size(), seq, T, 1, m));
        }
        return new Round(seq, messages);
    }

    private static String words(Random random) {
        StringBuilder text = new StringBuilder();
        int n = random.nextInt(400);
        for (int i = 0; i < n; i++) {
            text.append(i == 0 ? "" : random.nextInt(10) == 0 ? "\n" : " ");
            int len = 1 + random.nextInt(12);
            for (int c = 0; c < len; c++) {
                text.append((char) ('a' + random.nextInt(26)));
            }
        }
        return text.toString();
    }
}
