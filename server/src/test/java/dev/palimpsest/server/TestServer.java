package dev.palimpsest.server;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.recall.lucene.LuceneRecall;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.file.FileConversationStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * A server on an ephemeral loopback port over a file store and a Lucene recall in a temporary
 * directory, as {@code palimpsest serve} builds it; and a JDK {@code HttpClient} to call it.
 */
final class TestServer implements AutoCloseable {
    static final String TOKEN = "test-token-0123456789abcdef";

    final Path root;
    final ConversationStore store;
    final Recall recall;
    final ConversationEngine engine;
    final PalimpsestServer server;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    TestServer(Path root) {
        this(root, CompactionPolicy.DEFAULT, b -> b);
    }

    TestServer(Path root, CompactionPolicy policy,
               UnaryOperator<PalimpsestServer.Builder> configure) {
        this.root = root;
        try {
            java.nio.file.Files.createDirectories(root);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        this.store = FileConversationStore.open(root);
        this.recall = LuceneRecall.open(root.resolve("recall"), store);
        this.engine = ConversationEngine.builder(store).policy(policy).recall(recall).build();
        this.server = configure.apply(PalimpsestServer.builder(engine).bearerToken(TOKEN))
                .start();
    }

    URI uri(String path) {
        return server.uri().resolve(path);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN);
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<String> get(String path) {
        return send(request(path).GET().build());
    }

    HttpResponse<String> post(String path, String json) {
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    @Override
    public void close() {
        server.close();
        engine.close();
        recall.close();
        store.close();
    }
}
