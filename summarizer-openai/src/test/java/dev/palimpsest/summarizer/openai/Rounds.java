package dev.palimpsest.summarizer.openai;

import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the v2 rounds the tests fold: numbered as a store numbers them (a round's messages
 * contiguous, no message seq below its round's seq).
 */
final class Rounds {
    private Rounds() {
    }

    /** Round {@code roundSeq} of {@code messages}, the first numbered {@code firstMessageSeq}. */
    static Round round(long roundSeq, long firstMessageSeq, Message... messages) {
        List<StoredMessage> stored = new ArrayList<>();
        for (int i = 0; i < messages.length; i++) {
            stored.add(new StoredMessage(firstMessageSeq + i, roundSeq, Instant.EPOCH, 10,
                    messages[i]));
        }
        return new Round(roundSeq, stored);
    }

    /** A round of one user text and the assistant's answer, as the first generation stored. */
    static Round exchange(long roundSeq, long firstMessageSeq, String user, String assistant) {
        return round(roundSeq, firstMessageSeq, Message.user(user), Message.assistant(assistant));
    }

    /** A request for {@code convId} with one exchange, round 1, messages 1 and 2. */
    static SummaryRequest oneExchange(String convId, String user, String assistant) {
        return new SummaryRequest(convId, "", List.of(exchange(1, 1, user, assistant)));
    }
}
