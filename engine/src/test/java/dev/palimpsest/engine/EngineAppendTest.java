package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Appends through the engine: numbering, retries, expectations, token counters. */
class EngineAppendTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aToolExchangeIsOneRoundAndEachMessageHasItsSeq(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            engine.append("c", Message.system("You are terse."));
            engine.append("c", Message.user("Weather in Paris?"));
            engine.append("c", Message.assistant("", List.of(
                    new ToolCall("call_1", "weather", "{\"city\":\"Paris\"}"))));
            engine.append("c", Message.tool("call_1", "weather", "18 C, cloudy"));
            AppendOutcome last = engine.append("c", Message.assistant("18 C and cloudy."));

            assertEquals(5, last.appended().messages().get(0).seq());
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals(1, state.counters().roundsTotal(),
                    "the user's message joins the round the system message opened");
            assertEquals(5, state.recentRounds().get(0).messages().size());
            assertEquals("You are terse.", state.pinnedSystem().orElseThrow().message().content());
            List<StoredMessage> all = engine.messages("c", 1, 100);
            assertEquals(5, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).seq());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aRetryWithTheSameIdsAppendsNothingAndOtherContentIsAConflict(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            List<Message> round = List.of(Message.user("hi").withId("u1"),
                    Message.assistant("hello").withId("a1"));
            AppendOutcome first = engine.append("c", round, Expectation.none());
            AppendOutcome retry = engine.append("c", round, Expectation.none());

            assertEquals(0, first.appended().alreadyStored());
            assertTrue(retry.appended().retried());
            assertEquals(first.appended().messages(), retry.appended().messages());
            assertEquals(2, engine.state("c").orElseThrow().counters().messagesTotal());
            PalimpsestException conflict = assertThrows(PalimpsestException.class,
                    () -> engine.append("c", Message.user("other").withId("u1")));
            assertEquals(FailureKind.CONFLICT, conflict.kind());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void anExpectationThatNoLongerHoldsAppendsNothing(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            engine.appendRound("c", "one", "1");
            PalimpsestException stale = assertThrows(PalimpsestException.class,
                    () -> engine.append("c", List.of(Message.user("two")),
                            Expectation.nextRoundSeq(1)));
            assertEquals(FailureKind.REVISION_MISMATCH, stale.kind());
            engine.append("c", List.of(Message.user("two")), Expectation.nextRoundSeq(2));
            assertEquals(2, engine.state("c").orElseThrow().counters().roundsTotal());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void badRoundsAreRefusedBeforeAnythingIsStored(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            PalimpsestException orphan = assertThrows(PalimpsestException.class,
                    () -> engine.append("c", Message.tool("nope", "t", "result")));
            assertEquals(FailureKind.INVALID_INPUT, orphan.kind());
            assertTrue(engine.state("c").isEmpty(), "nothing was stored");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void theCountersHoldTheTokensOfEveryRecentMessage(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.never(1)).build()) {
            Message call = Message.assistant("checking", List.of(
                    new ToolCall("c1", "lookup", "{\"q\":\"a long query text\"}")));
            engine.append("c", Message.user("find it"), call,
                    Message.tool("c1", "lookup", "found it"), Message.assistant("done"));
            ConversationState state = engine.state("c").orElseThrow();
            long expected = 0;
            for (Round r : state.recentRounds()) {
                for (StoredMessage m : r.messages()) {
                    assertEquals(engine.tokens(m.message()), m.tokens());
                    expected += m.tokens();
                }
            }
            assertEquals(expected, state.counters().recentTokens());
            assertTrue(engine.tokens(call) > engine.tokens(Message.assistant("checking")),
                    "a tool call's name and arguments count");
        }
    }
}
