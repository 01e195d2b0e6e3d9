package dev.palimpsest.store.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Recall} fulfils over its store. A backend's test extends this class
 * and says how to make a fresh store and a recall over it; every test runs against them.
 * Appends go to the store directly, without telling the recall, unless a test says otherwise:
 * a recall must find what its store acknowledged whether or not it was told.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class RecallContract {
    /** The time stamped on the appends of the suite. */
    protected static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    /** The store the recall reads. */
    protected ConversationStore store;
    /** The recall under test. */
    protected Recall recall;

    /** For a backend's test to extend. */
    protected RecallContract() {
    }

    /** {@return a fresh store holding no conversation} */
    protected abstract ConversationStore newStore();

    /**
     * {@return a recall over {@code store}}
     *
     * @param store the store it recalls from
     */
    protected abstract Recall newRecall(ConversationStore store);

    @BeforeEach
    void open() {
        store = newStore();
        recall = newRecall(store);
    }

    @AfterEach
    void close() {
        recall.close();
        store.close();
    }

    /**
     * Appends messages to the store alone.
     *
     * @param convId   the conversation
     * @param messages the messages
     * @return the result
     */
    protected AppendResult append(String convId, Message... messages) {
        return store.append(AppendRequest.of(convId, Expectation.none(), T, messages));
    }

    /**
     * {@return the hits of a search within one conversation}
     *
     * @param convId the conversation
     * @param text   the words
     */
    protected List<RecallHit> in(String convId, String text) {
        return recall.search(RecallQuery.in(convId, text, 10));
    }

    private static List<String> contents(List<RecallHit> hits) {
        return hits.stream().map(h -> h.message().message().content()).toList();
    }

    @Test
    void findsAMessageByItsWordsWithItsPlaceInTheConversation() {
        append("c", Message.user("What port does the staging database use?"),
                Message.assistant("The staging database listens on port 5433."));
        append("c", Message.user("And the weather?"), Message.assistant("Sunny all week."));
        List<RecallHit> hits = in("c", "staging database port");
        assertEquals(2, hits.size(), () -> "hits: " + contents(hits));
        RecallHit best = hits.get(0);
        assertEquals("c", best.convId());
        assertTrue(best.message().message().content().contains("staging database"));
        assertEquals(1, best.message().roundSeq());
        assertEquals(T, best.message().createdAt());
        assertTrue(hits.get(0).score() >= hits.get(1).score(), "best first");
    }

    @Test
    void aMessageWithTheRarerWordsRanksFirst() {
        for (int i = 0; i < 20; i++) {
            append("c", Message.user("we talked about the project plan " + i));
        }
        append("c", Message.user("the project codename is Bluefinch"));
        List<RecallHit> hits = in("c", "what is the project codename");
        assertEquals("the project codename is Bluefinch", contents(hits).get(0));
    }

    @Test
    void searchesOneConversationOrAll() {
        append("a", Message.user("deploy the invoice service on friday"));
        append("b", Message.user("the invoice service has a memory leak"));
        append("c", Message.user("nothing related here"));
        assertEquals(List.of("a"), in("a", "invoice service").stream().map(RecallHit::convId)
                .toList());
        Set<String> everywhere = new HashSet<>();
        for (RecallHit hit : recall.search(RecallQuery.everywhere("invoice service", 10))) {
            everywhere.add(hit.convId());
        }
        assertEquals(Set.of("a", "b"), everywhere);
    }

    @Test
    void findsEveryAcknowledgedMessageWithoutBeingTold() {
        for (int i = 1; i <= 30; i++) {
            append("c", Message.user("note number" + i + " says nothing else"));
            List<RecallHit> hits = in("c", "number" + i);
            assertEquals(1, hits.size(), "message " + i + " found right after its append");
            assertEquals(i, hits.get(0).message().seq());
        }
    }

    @Test
    void findsWhatItWasToldOfOnceOnly() {
        AppendResult first = append("c", Message.user("alpha bravo"));
        recall.appended("c", first.messages());
        recall.appended("c", first.messages());
        AppendResult second = append("c", Message.assistant("bravo charlie"));
        recall.appended("c", second.messages());
        assertEquals(List.of(1L, 2L), in("c", "bravo").stream().map(h -> h.message().seq())
                .sorted().toList());
    }

    @Test
    void findsToolCallsAndTheirResults() {
        append("c", Message.user("look it up"),
                Message.assistant("", List.of(new ToolCall("call-1", "weather_lookup",
                        "{\"city\":\"Reykjavik\"}"))),
                Message.tool("call-1", "weather_lookup", "minus four degrees and windy"));
        assertEquals(2, in("c", "weather_lookup").size());
        assertEquals(2, in("c", "reykjavik").stream().findFirst().map(h -> h.message().seq())
                .orElseThrow());
        assertEquals(3, in("c", "windy").get(0).message().seq());
    }

    @Test
    void findsCompactedMessages() {
        append("c", Message.user("the launch code is orchid"), Message.assistant("noted"));
        append("c", Message.user("next"), Message.assistant("ok"));
        store.commitCompaction(new CompactionRequest("c", 0, 1, "a summary", 2, T));
        assertEquals(1, in("c", "launch code").get(0).message().seq());
    }

    @Test
    void neverAnswersWithADeletedConversation() {
        append("gone", Message.user("the secret word is marzipan"));
        append("kept", Message.user("marzipan is a sweet"));
        assertEquals(2, recall.search(RecallQuery.everywhere("marzipan", 10)).size());
        assertTrue(store.delete("gone"));
        // Not yet erased from the recall: it still answers only with what the store holds.
        assertEquals(List.of("kept"), recall.search(RecallQuery.everywhere("marzipan", 10))
                .stream().map(RecallHit::convId).toList());
        recall.erase("gone");
        assertTrue(in("gone", "marzipan").isEmpty());
        assertEquals(1, recall.search(RecallQuery.everywhere("marzipan", 10)).size());
    }

    @Test
    void aConversationMadeAgainAfterItsDeletionHasOnlyItsNewMessages() {
        append("c", Message.user("old text about zeppelins"), Message.user("more zeppelins"),
                Message.user("and zeppelins again"));
        assertEquals(3, in("c", "zeppelins").size());
        store.delete("c");
        recall.erase("c");
        append("c", Message.user("new text about submarines"));
        assertTrue(in("c", "zeppelins").isEmpty());
        assertEquals(1, in("c", "submarines").size());
    }

    @Test
    void aConversationMadeAgainWithoutErasureHasOnlyItsNewMessages() {
        append("c", Message.user("old text about zeppelins"), Message.user("more zeppelins"),
                Message.user("and zeppelins again"));
        assertEquals(3, in("c", "zeppelins").size());
        store.delete("c");
        append("c", Message.user("new text about submarines"));
        assertTrue(in("c", "zeppelins").isEmpty());
        assertEquals(1, in("c", "submarines").size());
    }

    @Test
    void aConversationMadeAgainWithAsManyMessagesIsSearchedAnew() {
        append("c", Message.user("zeppelins one"), Message.user("zeppelins two"));
        assertEquals(2, in("c", "zeppelins").size());
        store.delete("c");
        append("c", Message.user("submarines one"), Message.user("submarines two"),
                Message.user("submarines three"));
        assertEquals(3, in("c", "submarines").size(), "made again, longer");
        store.delete("c");
        append("c", Message.user("gliders one"), Message.user("gliders two"),
                Message.user("gliders three"));
        assertEquals(3, in("c", "gliders").size(), "made again, as long as the mark");
        assertTrue(in("c", "submarines").isEmpty());
    }

    @Test
    void anUnknownConversationOrAWordlessQuestionFindsNothing() {
        append("c", Message.user("hello there"));
        assertTrue(in("never", "hello").isEmpty());
        assertTrue(in("c", "?!... --- ***").isEmpty());
        assertTrue(in("c", "absent").isEmpty());
    }

    @Test
    void queryTextIsWordsNotSyntax() {
        append("c", Message.user("a colon: here, \"quotes\" there, AND then OR NOT * wild?"));
        for (String hostile : List.of("\"quotes", "colon:", "AND OR NOT", "*", "wild?",
                "text:colon", "(((", "\\", "a\u0000b colon", "\uD800 colon", "colon~2",
                "here^10", "[a TO z]", "{!lucene}colon", "'; DROP TABLE messages; --")) {
            List<RecallHit> hits = in("c", hostile);
            assertTrue(hits.size() <= 1, () -> hostile + ": " + contents(hits));
        }
        assertEquals(1, in("c", "\"quotes\" AND colon:").size());
    }

    @Test
    void aQueryIsValidated() {
        for (Runnable bad : List.<Runnable>of(
                () -> RecallQuery.in("c", " ", 10),
                () -> RecallQuery.in("c", "x", 0),
                () -> RecallQuery.in("c", "x", RecallQuery.MAX_LIMIT + 1),
                () -> RecallQuery.in("c", "x".repeat(RecallQuery.MAX_TEXT_CHARS + 1), 1),
                () -> RecallQuery.in("", "x", 1))) {
            PalimpsestException e = org.junit.jupiter.api.Assertions.assertThrows(
                    PalimpsestException.class, bad::run);
            assertEquals(FailureKind.INVALID_INPUT, e.kind(), e.getMessage());
        }
    }

    @Test
    void keepsToTheLimit() {
        for (int i = 0; i < 40; i++) {
            append("c", Message.user("repeated words " + i));
        }
        assertEquals(7, recall.search(RecallQuery.in("c", "repeated", 7)).size());
        assertEquals(40, recall.search(RecallQuery.in("c", "repeated", 100)).size());
    }

    @Test
    void appendersAndSearchersSideBySideMissNothing() throws Exception {
        int writers = 4;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                String conv = "w" + w;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        AppendResult r = append(conv, Message.user("token" + conv + "x" + i
                                + " shared"));
                        recall.appended(conv, r.messages());
                        assertEquals(1, in(conv, "token" + conv + "x" + i).size());
                    }
                    return null;
                }));
            }
            for (int s = 0; s < 2; s++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        recall.search(RecallQuery.everywhere("shared", 50));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(writers * each, recall.search(RecallQuery.everywhere("shared", 1000)).size());
    }
}
