package dev.palimpsest.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.PostgresServer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server stops, crashes and comes back while the store is open: an append while it is down
 * fails with a typed error; every acknowledged append is there afterwards; an append the crash
 * cut is whole or absent; the store carries on without being reopened.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresRestartTest {
    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");

    @Test
    void aRestartBetweenAppendsLosesNothingAndTheStoreCarriesOn() {
        try (PostgresServer server = PostgresServer.start();
             PostgresConversationStore store = TestDatabase.open(server,
                     PostgresStoreOptions.DEFAULTS.withMigrateOnOpen(true))) {
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("before")));
            server.stop();
            PalimpsestException down = assertThrows(PalimpsestException.class,
                    () -> store.append(AppendRequest.of("c", Expectation.none(), T,
                            Message.assistant("while down"))));
            assertEquals(FailureKind.IO, down.kind(), down.getMessage());
            server.restart();
            store.append(AppendRequest.of("c", Expectation.none(), T,
                    Message.assistant("after")));
            List<String> texts = store.messages("c", 1, 10).stream()
                    .map(m -> m.message().content()).toList();
            assertEquals(List.of("before", "after"), texts);
        }
    }

    @Test
    void aCrashDuringAppendsKeepsEveryAcknowledgedOneAndCutsNoneInHalf() throws Exception {
        int writers = 4;
        try (PostgresServer server = PostgresServer.start();
             PostgresConversationStore store = TestDatabase.open(server,
                     PostgresStoreOptions.DEFAULTS.withMigrateOnOpen(true)
                             .withPoolSize(writers))) {
            Set<String> acked = ConcurrentHashMap.newKeySet();
            Map<String, FailureKind> failed = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String id = writer + "/" + n;
                        try {
                            store.append(AppendRequest.of("c", Expectation.none(), T,
                                    Message.user("question " + id).withId(id),
                                    Message.assistant("answer " + id)));
                            acked.add(id);
                        } catch (PalimpsestException e) {
                            failed.put(id, e.kind());
                        }
                    }
                }, "writer-" + w);
                threads.add(t);
                t.start();
            }
            waitFor(() -> acked.size() >= 100);
            server.crash();
            Thread.sleep(300);
            server.restart();
            int atRestart = acked.size();
            waitFor(() -> acked.size() >= atRestart + 100);
            stop.set(true);
            for (Thread t : threads) {
                t.join(60_000);
            }
            // The store runs an attempt cut before its commit again on a new connection, so
            // most appends (often all) ride the crash out; those that fail are typed.
            for (FailureKind kind : failed.values()) {
                assertTrue(kind == FailureKind.IO || kind == FailureKind.DURABILITY_UNKNOWN,
                        "typed: " + kind);
            }
            ConversationState state = store.load("c").orElseThrow();
            List<StoredMessage> all = store.messages("c", 1, 1_000_000);
            assertEquals(state.counters().messagesTotal(), all.size());
            Map<String, Integer> rounds = new TreeMap<>();
            for (int i = 0; i < all.size(); i += 2) {
                StoredMessage q = all.get(i);
                StoredMessage a = all.get(i + 1);
                assertEquals(i + 1, q.seq(), "no gap");
                assertEquals(q.roundSeq(), a.roundSeq(), "whole");
                String id = q.message().id().orElseThrow();
                assertEquals("answer " + id, a.message().content(), "whole");
                assertEquals(null, rounds.put(id, i), "never twice: " + id);
            }
            for (String id : acked) {
                assertTrue(rounds.containsKey(id), "acknowledged and lost: " + id);
            }
            long cutButStored = failed.keySet().stream().filter(rounds::containsKey).count();
            assertEquals(acked.size() + cutButStored, rounds.size(), "nothing unexplained");
            System.out.println("postgres crash: " + acked.size() + " acknowledged, "
                    + failed.size() + " failed " + Set.copyOf(failed.values()) + " of which "
                    + cutButStored + " committed anyway; " + rounds.size() + " rounds stored");
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting");
            Thread.sleep(10);
        }
    }
}
