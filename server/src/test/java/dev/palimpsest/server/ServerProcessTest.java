package dev.palimpsest.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as a process: killed with SIGKILL under load, every append it answered 2xx is in
 * the store; stopped with SIGTERM under load, it drains (requests in flight are answered, later
 * ones get 503 or a refused connection) and exits, with every 2xx append stored.
 */
class ServerProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int CLIENTS = 8;

    @Test
    void sigkillUnderLoadLosesNoAcknowledgedAppend(@TempDir Path root) throws Exception {
        Set<String> acked = load(root, false);
        assertTrue(acked.size() >= 20, "only " + acked.size() + " appends before the kill");
        assertStored(root, acked);
    }

    @Test
    void sigtermDrainsAndExitsWithEveryAcknowledgedAppendStored(@TempDir Path root)
            throws Exception {
        Set<String> acked = load(root, true);
        assertTrue(acked.size() >= 20, "only " + acked.size() + " appends before the stop");
        assertStored(root, acked);
    }

    /** Runs {@value #CLIENTS} appending clients against a child, then kills or stops it. */
    private static Set<String> load(Path root, boolean graceful) throws Exception {
        Set<String> acked = ConcurrentHashMap.newKeySet();
        try (ChildJvms children = new ChildJvms(1, Duration.ofSeconds(120))) {
            ChildJvm child = children.start(ServerChild.class, root.toString());
            String line = child.awaitLine(l -> l.startsWith("port "), WAIT);
            URI base = URI.create("http://127.0.0.1:" + line.substring(5) + "/v1/");
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger unexpected = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            for (int c = 0; c < CLIENTS; c++) {
                int clientNumber = c;
                pool.execute(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String id = "c" + clientNumber + "-" + n;
                        HttpRequest request = HttpRequest.newBuilder(base.resolve(
                                        "conversations/conv-" + clientNumber % 3 + "/messages"))
                                .timeout(Duration.ofSeconds(20))
                                .header("Authorization", "Bearer " + TestServer.TOKEN)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"role\":\"user\","
                                        + "\"content\":\"message " + id + "\",\"id\":\"" + id
                                        + "\"}")).build();
                        try {
                            HttpResponse<String> r = client.send(request,
                                    HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 201 || r.statusCode() == 200) {
                                acked.add(id);
                            } else if (r.statusCode() != 503) {
                                unexpected.incrementAndGet();
                            }
                        } catch (java.io.IOException e) {
                            // The server went away: this append is unacknowledged.
                            if (stop.get()) {
                                return;
                            }
                            sleep(20);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                });
            }
            while (acked.size() < 200) {
                sleep(20);
            }
            if (graceful) {
                // Not Process.destroy(): it also closes the pipes this test reads the child by.
                Process kill = new ProcessBuilder("kill", "-TERM",
                        String.valueOf(child.process().pid())).inheritIO().start();
                assertEquals(0, kill.waitFor());
                assertEquals("drained", child.awaitLine(l -> l.equals("drained"), WAIT),
                        child.describe());
                assertEquals(143, child.awaitExit(WAIT), child.describe());
            } else {
                child.process().destroyForcibly();
                child.awaitExit(WAIT);
            }
            stop.set(true);
            pool.shutdown();
            assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
            assertEquals(0, unexpected.get(), "answers other than 2xx and 503");
        }
        return acked;
    }

    private static void assertStored(Path root, Set<String> acked) {
        Set<String> stored = new HashSet<>();
        try (FileConversationStore store = FileConversationStore.open(root)) {
            for (int c = 0; c < 3; c++) {
                List<StoredMessage> all = store.messages("conv-" + c, 1, 1_000_000);
                for (StoredMessage m : all) {
                    assertTrue(stored.add(m.message().id().orElseThrow()), "stored twice: "
                            + m.message().id());
                }
            }
        }
        Set<String> lost = new HashSet<>(acked);
        lost.removeAll(stored);
        assertTrue(lost.isEmpty(), lost.size() + " acknowledged appends are not stored: "
                + lost);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
