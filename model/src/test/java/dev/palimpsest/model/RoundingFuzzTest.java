package dev.palimpsest.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * For any sequence of messages, appending them one by one as {@link Round#opensNewRound} says
 * either builds a state that satisfies every invariant (rounds contiguous, each tool result in
 * the round of its call, counters equal to what the rounds hold) or stops at the first message
 * with an {@link FailureKind#INVALID_INPUT} failure; nothing else escapes.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/model/RoundingFuzzTestInputs/}; {@code JAZZER_FUZZ=1}
 * fuzzes for real (docs/testing.md).
 */
class RoundingFuzzTest {
    private static final Instant T = Instant.EPOCH;

    @FuzzTest(maxDuration = "30s")
    void anySequenceBuildsAValidStateOrIsRefusedWithATypedError(FuzzedDataProvider data) {
        ConversationState state = ConversationState.empty("fuzz");
        long revision = 0;
        int steps = data.consumeInt(0, 40);
        for (int i = 0; i < steps; i++) {
            Message m;
            try {
                m = message(data);
            } catch (PalimpsestException e) {
                assertEquals(FailureKind.INVALID_INPUT, e.kind());
                continue;
            }
            Optional<Round> last = state.lastRound();
            long roundSeq;
            try {
                if (Round.opensNewRound(last, m)) {
                    roundSeq = state.counters().roundsTotal() + 1;
                    Round.checkOpens(m, roundSeq);
                } else {
                    roundSeq = last.orElseThrow().seq();
                    last.get().checkJoins(m);
                }
            } catch (PalimpsestException e) {
                assertEquals(FailureKind.INVALID_INPUT, e.kind());
                continue;
            }
            StoredMessage stored = new StoredMessage(state.nextMessageSeq(), roundSeq, T,
                    data.consumeInt(0, 9), m);
            state = state.withAppended(List.of(stored), ++revision, T);
            if (data.consumeBoolean() && !state.recentRounds().isEmpty()) {
                long through = state.counters().compactedRounds() + 1;
                state = state.withCompaction(through, "ctx" + through, 1, ++revision, T);
            }
        }
        long messages = state.counters().compactedMessages();
        for (Round r : state.recentRounds()) {
            messages += r.messages().size();
        }
        assertEquals(state.counters().messagesTotal(), messages);
        assertTrue(state.counters().roundsTotal() >= state.recentRounds().size());
    }

    private static Message message(FuzzedDataProvider data) {
        String text = data.consumeString(8);
        String callId = "c" + data.consumeInt(0, 3);
        Message m = switch (data.consumeInt(0, 4)) {
            case 0 -> Message.system(text);
            case 1 -> Message.user(text);
            case 2 -> Message.assistant(text);
            case 3 -> Message.assistant(text, List.of(new ToolCall(callId, "t", text)));
            default -> Message.tool(callId, "t", text);
        };
        if (data.consumeBoolean()) {
            m = m.withMetadata(Map.of(data.consumeString(3), data.consumeString(3)));
        }
        return m;
    }
}
