package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Message;
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

    @Test
    void aDigestLineNamesTheUserTextTheToolsCalledAndTheAnswer() {
        Round round = new Round(21, List.of(
                new StoredMessage(101, 21, T, 1, Message.user("Where is my parcel?")),
                new StoredMessage(102, 21, T, 1, Message.assistant("", List.of(
                        new ToolCall("c", "track_parcel", "{\"id\":7}")))),
                new StoredMessage(103, 21, T, 1, Message.tool("c", "track_parcel", "depot")),
                new StoredMessage(104, 21, T, 1, Message.assistant("It left the depot."))));
        String summary = ExtractiveSummarizer.withDefaultBudget()
                .summarize(new SummaryRequest("c", "", List.of(round)));
        assertEquals("#21 user: Where is my parcel? | assistant: [track_parcel] It left the "
                + "depot.", summary);
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
