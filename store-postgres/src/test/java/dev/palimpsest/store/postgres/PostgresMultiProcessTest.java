package dev.palimpsest.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.PostgresServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Several JVMs, as several hosts, append to one conversation of one database at once: every
 * acknowledged round is stored exactly once, numbered without a gap, each round whole.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PostgresMultiProcessTest {
    private static final int PROCESSES = 3;
    private static final int THREADS = 4;
    private static final int ROUNDS = 25;
    private static final Duration WAIT = Duration.ofSeconds(120);

    @Test
    void hostsAppendingToOneConversationNeverLoseDuplicateOrRenumber() {
        PostgresServer server = TestDatabase.server();
        String schema = TestDatabase.freshSchema();
        String convId = "shared conversation";
        TestDatabase.open(server, PostgresStoreOptions.DEFAULTS.withSchema(schema)
                .withMigrateOnOpen(true)).close();
        try (ChildJvms children = new ChildJvms(PROCESSES, Duration.ofSeconds(150))) {
            List<ChildJvm> hosts = new ArrayList<>();
            for (int p = 1; p <= PROCESSES; p++) {
                ChildJvm host = children.start(PostgresAppenderChild.class, server.jdbcUrl(),
                        PostgresServer.USER, schema, convId, "host" + p,
                        Integer.toString(THREADS), Integer.toString(ROUNDS));
                host.send(server.password());
                hosts.add(host);
            }
            for (ChildJvm host : hosts) {
                assertEquals("ready", host.awaitLine(l -> true, WAIT), host.describe());
            }
            hosts.forEach(host -> host.send("go"));
            for (ChildJvm host : hosts) {
                assertEquals(0, host.awaitExit(WAIT), host.describe());
                assertEquals(List.of("ready", "acked " + THREADS * ROUNDS), host.lines(),
                        host.describe());
            }
        }
        int rounds = PROCESSES * THREADS * ROUNDS;
        try (PostgresConversationStore store = TestDatabase.open(server,
                PostgresStoreOptions.DEFAULTS.withSchema(schema))) {
            ConversationState state = store.load(convId).orElseThrow();
            assertEquals(rounds, state.revision(), "one revision per acknowledged append");
            assertEquals(rounds, state.counters().roundsTotal());
            assertEquals(2L * rounds, state.counters().messagesTotal());
            List<StoredMessage> all = store.messages(convId, 1, 10 * rounds);
            assertEquals(2 * rounds, all.size());
            Set<String> ids = new HashSet<>();
            for (int i = 0; i < all.size(); i += 2) {
                StoredMessage question = all.get(i);
                StoredMessage answer = all.get(i + 1);
                assertEquals(i + 1, question.seq(), "no gap");
                assertEquals(i + 2, answer.seq());
                assertEquals(i / 2 + 1, question.roundSeq());
                assertEquals(question.roundSeq(), answer.roundSeq(), "each round whole");
                String id = question.message().id().orElseThrow();
                assertTrue(ids.add(id), "no duplicate: " + id);
                assertEquals("answer " + id, answer.message().content());
            }
            for (int p = 1; p <= PROCESSES; p++) {
                for (int t = 0; t < THREADS; t++) {
                    for (int n = 0; n < ROUNDS; n++) {
                        assertTrue(ids.contains("host" + p + "/" + t + "/" + n),
                                "acknowledged and stored: host" + p + "/" + t + "/" + n);
                    }
                }
            }
            System.out.println("postgres multi-process: " + PROCESSES + " JVMs x " + THREADS
                    + " threads appended " + rounds + " rounds, " + all.size()
                    + " messages, no gap, no duplicate");
        }
    }
}
