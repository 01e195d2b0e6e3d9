package dev.palimpsest.format;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Generated states and records for the format's tests. */
final class Samples {
    private static final String[] TEXTS = {"", "plain", "line\nbreak", "quote \" back \\",
        "nul \u0000 ctrl \u001f", "é ü ß", "😀 emoji", "\u2028\u2029", "</script>", "{\"json\":1}"};

    private Samples() {
    }

    static String text(Random r) {
        return TEXTS[r.nextInt(TEXTS.length)] + (r.nextBoolean() ? "" : "x" + r.nextInt(1000));
    }

    /** A state built through the model's own transitions from random messages. */
    static ConversationState state(Random r) {
        ConversationState s = ConversationState.empty("conv-" + text(r));
        long revision = 0;
        int steps = r.nextInt(30);
        Instant t = Instant.ofEpochSecond(1_700_000_000L + r.nextInt(1000), r.nextInt(1000) * 1000L);
        for (int i = 0; i < steps; i++) {
            Message m = message(r, s);
            Optional<Round> last = s.lastRound();
            long roundSeq = Round.opensNewRound(last, m) ? s.counters().roundsTotal() + 1
                    : last.orElseThrow().seq();
            s = s.withAppended(List.of(new StoredMessage(s.nextMessageSeq(), roundSeq, t,
                    r.nextInt(50), m)), ++revision, t);
            if (r.nextInt(6) == 0 && s.recentRounds().size() > 1) {
                s = s.withCompaction(s.counters().compactedRounds() + 1, text(r), r.nextInt(9),
                        ++revision, t);
            }
            if (r.nextInt(10) == 0) {
                s = s.withCompactionFailure(++revision, t);
            }
        }
        return s;
    }

    private static Message message(Random r, ConversationState s) {
        Optional<Round> last = s.lastRound();
        List<String> open = new ArrayList<>();
        if (last.isPresent() && last.get().hasUnansweredToolCall()) {
            for (StoredMessage m : last.get().messages()) {
                m.message().toolCalls().forEach(c -> open.add(c.id()));
            }
            for (StoredMessage m : last.get().messages()) {
                m.message().toolCallId().ifPresent(open::remove);
            }
        }
        Message m;
        int kind = last.isEmpty() ? r.nextInt(2) : r.nextInt(5);
        String content = text(r);
        switch (kind) {
            case 0 -> m = Message.system(content.isEmpty() ? "s" : content);
            case 1 -> m = Message.user(content.isEmpty() ? "u" : content);
            case 2 -> m = Message.assistant(content.isEmpty() ? "a" : content);
            case 3 -> m = Message.assistant(content, List.of(
                    new ToolCall("call-" + s.nextMessageSeq(), "tool", text(r))));
            default -> m = open.isEmpty() ? Message.user("u")
                    : Message.tool(open.get(0), "tool", content);
        }
        if (r.nextBoolean()) {
            m = m.withId("id-" + s.nextMessageSeq());
        }
        if (r.nextInt(4) == 0) {
            m = m.withMetadata(Map.of("k" + text(r), text(r)));
        }
        return m;
    }
}
