package dev.palimpsest.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelValidationTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    private static PalimpsestException invalid(Runnable r) {
        PalimpsestException e = assertThrows(PalimpsestException.class, r::run);
        assertEquals(FailureKind.INVALID_INPUT, e.kind());
        return e;
    }

    @Test
    void messagesCarryOnlyWhatTheirRoleAllows() {
        ToolCall call = new ToolCall("c1", "search", "{\"q\":1}");
        invalid(() -> new Message(Role.USER, "x", List.of(call), Optional.empty(),
                Optional.empty(), Optional.empty(), Map.of()));
        invalid(() -> new Message(Role.USER, "x", List.of(), Optional.of("c1"),
                Optional.empty(), Optional.empty(), Map.of()));
        invalid(() -> new Message(Role.TOOL, "x", List.of(), Optional.of("c1"),
                Optional.empty(), Optional.empty(), Map.of()));
        assertEquals("", Message.user("").content(), "empty texts are texts");
        invalid(() -> Message.assistant("", List.of(call, call)));
        invalid(() -> Message.user("x").withId(""));
        invalid(() -> Message.user("x").withId("i".repeat(Message.MAX_ID_LENGTH + 1)));
        invalid(() -> Message.user("\uD800"));
        invalid(() -> new ToolCall("", "n", "{}"));
        assertEquals("", Message.assistant("", List.of(call)).content());
        assertEquals("", Message.tool("c1", "search", "").content());
        assertTrue(invalid(() -> Message.user("x").withMetadata(Map.of("", "v"))).getMessage()
                .contains("metadata"));
    }

    @Test
    void aUserMessageOpensARoundOnceTheCurrentOneHasOne() {
        Round systemOnly = round(1, 1, Message.system("be brief"));
        assertFalse(Round.opensNewRound(Optional.of(systemOnly), Message.user("hi")));
        Round turn = round(1, 1, Message.system("s"), Message.user("hi"), Message.assistant("a"));
        assertTrue(Round.opensNewRound(Optional.of(turn), Message.user("next")));
        assertTrue(Round.opensNewRound(Optional.of(turn), Message.system("new prompt")));
        assertFalse(Round.opensNewRound(Optional.of(turn), Message.assistant("more")));
        assertTrue(Round.opensNewRound(Optional.empty(), Message.user("first")));
        invalid(() -> Round.opensNewRound(Optional.empty(), Message.assistant("first")));
    }

    @Test
    void aSystemMessageDoesNotSplitAToolCallFromItsResult() {
        Round open = round(1, 1, Message.user("q"),
                Message.assistant("", List.of(new ToolCall("c", "t", "{}"))));
        assertTrue(open.hasUnansweredToolCall());
        assertFalse(Round.opensNewRound(Optional.of(open), Message.system("s")));
        // ... but the next user message closes the round, answered or not.
        assertTrue(Round.opensNewRound(Optional.of(open), Message.user("never mind")));
        Round closed = round(1, 1, Message.user("q"),
                Message.assistant("", List.of(new ToolCall("c", "t", "{}"))),
                Message.tool("c", "t", "42"));
        assertFalse(closed.hasUnansweredToolCall());
    }

    @Test
    void aToolResultMustAnswerAnOpenCallOfItsRound() {
        assertTrue(invalid(() -> round(1, 1, Message.user("q"), Message.tool("c", "t", "r")))
                .getMessage().contains("answers no tool call 'c'"));
        assertTrue(invalid(() -> round(1, 1, Message.user("q"),
                Message.assistant("", List.of(new ToolCall("c", "t", "{}"))),
                Message.tool("c", "t", "r"), Message.tool("c", "t", "r")))
                .getMessage().contains("already answered"));
        invalid(() -> round(1, 1, Message.user("q"), Message.user("again")));
    }

    @Test
    void stateTransitionsKeepCountersAndPinnedSystemTrue() {
        ConversationState s = ConversationState.empty("c");
        s = s.withAppended(List.of(stored(1, 1, 3, Message.system("v1")),
                stored(2, 1, 5, Message.user("u1")), stored(3, 1, 7, Message.assistant("a1")),
                stored(4, 2, 11, Message.user("u2"))), 1, T);
        assertEquals(2, s.recentRounds().size());
        assertEquals(26, s.counters().recentTokens());
        assertEquals(1, s.pinnedSystem().orElseThrow().seq());
        s = s.withCompaction(1, "summary", 4, 2, T);
        assertEquals(1, s.recentRounds().size());
        assertEquals(3, s.counters().compactedMessages());
        assertEquals(11, s.counters().recentTokens());
        assertEquals("v1", s.pinnedSystem().orElseThrow().message().content(),
                "compaction never folds the pinned system message away");
        s = s.withAppended(List.of(stored(5, 2, 1, Message.assistant("a2"))), 3, T);
        assertEquals(2, s.recentRounds().get(0).messages().size());
        ConversationState last = s;
        invalid(() -> last.withCompaction(1, "x", 0, 4, T));
        invalid(() -> last.withCompaction(3, "x", 0, 4, T));
        assertEquals(1, s.withCompactionFailure(4, T).counters().compactionFailures());
    }

    @Test
    void aStateThatContradictsItsCountersIsRefused() {
        Round r = round(1, 1, Message.user("u"));
        invalid(() -> new ConversationState("c", 1, T, Optional.empty(), "", List.of(r),
                Counters.ZERO));
        invalid(() -> new ConversationState("", 0, T, Optional.empty(), "", List.of(),
                Counters.ZERO));
        Round sys = round(1, 1, Message.system("s"));
        invalid(() -> new ConversationState("c", 1, T, Optional.empty(), "", List.of(sys),
                new Counters(1, 1, 0, 0, 0, 0, 0, 0, Optional.empty())));
        invalid(() -> new Counters(1, 1, 1, 1, 1, 0, 0, 0, Optional.empty()));
        invalid(() -> new Counters(2, 1, 0, 0, 0, 0, 0, 0, Optional.empty()));
    }

    static StoredMessage stored(long seq, long round, long tokens, Message m) {
        return new StoredMessage(seq, round, T, tokens, m);
    }

    static Round round(long seq, long firstMessage, Message... messages) {
        StoredMessage[] stored = new StoredMessage[messages.length];
        for (int i = 0; i < messages.length; i++) {
            stored[i] = stored(firstMessage + i, seq, 0, messages[i]);
        }
        return new Round(seq, List.of(stored));
    }
}
