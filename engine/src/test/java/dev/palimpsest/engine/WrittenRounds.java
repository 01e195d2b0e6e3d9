package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.ConversationStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rounds the concurrency, crash and multi-process tests write, and the check of what a
 * conversation holds afterwards. Round {@code i} of writer {@code w} is one append of a user
 * message {@code "w i"} and an assistant answer {@code "ok w i"}, with the message ids
 * {@code w/i/u} and {@code w/i/a}, so a retry appends nothing twice and a stored round tells who
 * wrote it.
 */
final class WrittenRounds {
    private WrittenRounds() {
    }

    /** {@return round {@code i} of {@code writer}: the messages of one append} */
    static List<Message> round(String writer, int i) {
        return List.of(Message.user(writer + " " + i).withId(writer + "/" + i + "/u"),
                Message.assistant("ok " + writer + " " + i).withId(writer + "/" + i + "/a"));
    }

    /** {@return the line a child JVM reports once an append of round {@code i} returned} */
    static String acknowledgement(String convId, String writer, int i, AppendResult result) {
        return "acked " + convId + " " + writer + " " + i + " "
                + result.messages().get(0).seq();
    }

    /**
     * Adds up the acknowledgements among a child's complete stdout lines.
     *
     * @param lines the child's lines
     * @param into  per conversation, per writer, the rounds acknowledged so far; added to
     */
    static void countAcknowledged(List<String> lines, Map<String, Map<String, Integer>> into) {
        for (String line : lines) {
            if (line.startsWith("acked ")) {
                String[] parts = line.split(" ");
                Map<String, Integer> writers = into.computeIfAbsent(parts[1],
                        id -> new TreeMap<>());
                int index = Integer.parseInt(parts[3]);
                int before = writers.getOrDefault(parts[2], 0);
                assertEquals(before, index, "acknowledged in order: " + line);
                writers.put(parts[2], before + 1);
            }
        }
    }

    /**
     * Checks everything stored in {@code convId}: messages numbered 1, 2, ... without a gap;
     * every round whole (the two messages of one append, nothing else); each writer's rounds
     * once each and in the order written, from 0; the recent rounds and the counters agreeing
     * with the log.
     *
     * @param acknowledged per writer, how many of its appends returned
     * @param unacknowledged how many more rounds than acknowledged a writer may have stored
     *                       (the append a kill cut short may have committed)
     * @return per writer, how many rounds are stored
     */
    static Map<String, Integer> assertWhole(ConversationStore store, String convId,
                                            Map<String, Integer> acknowledged,
                                            int unacknowledged) {
        List<StoredMessage> log = store.messages(convId, 1, Integer.MAX_VALUE);
        List<Round> rounds = store.rounds(convId, 1, Integer.MAX_VALUE);
        Map<String, Integer> stored = new TreeMap<>();
        for (int i = 0; i < log.size(); i++) {
            assertEquals(i + 1, log.get(i).seq(), "messages of '" + convId + "' are dense");
        }
        assertEquals(log.size(), 2 * rounds.size(), "two messages per round in '" + convId + "'");
        for (int r = 0; r < rounds.size(); r++) {
            Round round = rounds.get(r);
            assertEquals(r + 1, round.seq(), "rounds of '" + convId + "' are dense");
            assertEquals(2, round.messages().size(), "round " + round.seq() + " is whole");
            assertEquals(log.subList(2 * r, 2 * r + 2), round.messages(),
                    "round " + round.seq() + " holds the messages of the log");
            String user = round.messages().get(0).message().content();
            String[] parts = user.split(" ");
            String writer = parts[0];
            int index = Integer.parseInt(parts[1]);
            assertEquals(round(writer, index), round.messages().stream()
                    .map(StoredMessage::message).toList(), "round " + round.seq()
                    + " is the one append of " + user);
            int expected = stored.getOrDefault(writer, 0);
            assertEquals(expected, index, "round " + round.seq() + ": " + writer
                    + "'s rounds once each and in order");
            stored.put(writer, expected + 1);
        }
        Map<String, Integer> missing = new HashMap<>(acknowledged);
        stored.keySet().forEach(missing::remove);
        missing.values().removeIf(n -> n == 0);
        assertEquals(Map.of(), missing, "writers with acknowledged rounds that are missing");
        for (Map.Entry<String, Integer> e : stored.entrySet()) {
            int acked = acknowledged.getOrDefault(e.getKey(), -1);
            assertTrue(acked >= 0, "rounds of an unknown writer " + e.getKey());
            assertTrue(e.getValue() >= acked && e.getValue() <= acked + unacknowledged,
                    e.getKey() + ": " + e.getValue() + " rounds stored, " + acked
                            + " acknowledged");
        }
        assertStateAgreesWithTheLog(store, convId, rounds);
        return stored;
    }

    /** The recent rounds are the log's newest rounds, and the counters add up. */
    static void assertStateAgreesWithTheLog(ConversationStore store, String convId,
                                            List<Round> rounds) {
        ConversationState state = store.load(convId).orElseThrow();
        Counters c = state.counters();
        assertEquals(rounds.size(), c.roundsTotal(), c.toString());
        long messages = rounds.stream().mapToLong(r -> r.messages().size()).sum();
        assertEquals(messages, c.messagesTotal(), c.toString());
        int compacted = (int) c.compactedRounds();
        assertEquals(rounds.subList(compacted, rounds.size()), state.recentRounds(),
                "the recent rounds follow the compacted ones");
        assertEquals(rounds.subList(0, compacted).stream()
                .mapToLong(r -> r.messages().size()).sum(), c.compactedMessages(), c.toString());
        assertEquals(state.recentRounds().stream().mapToLong(Round::tokens).sum(),
                c.recentTokens(), c.toString());
        assertEquals(c.compactions() > 0, !state.compressedContext().isEmpty(), c.toString());
    }
}
