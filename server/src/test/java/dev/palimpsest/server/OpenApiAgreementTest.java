package dev.palimpsest.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.palimpsest.engine.CompactionPolicy;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running server and {@code docs/openapi.json} agree: every (route, method, status) the
 * document lists is answered by a request below, every request below gets a status the
 * document lists for its route, and the server serves the committed document byte for byte.
 */
class OpenApiAgreementTest {
    private static final String USER = "{\"role\":\"user\",\"content\":\"hello\",\"id\":\"u1\"}";

    /** One request, the route template it exercises and the status it must get. */
    private record Case(String method, String template, int status, String path,
                        String body, String header, String value, boolean auth) {
    }

    @Test
    void everyDocumentedStatusIsAnsweredAndNoOther(@TempDir Path dir) throws Exception {
        Set<String> documented = documented();
        List<Case> cases = cases();
        Set<String> answered = new TreeSet<>();
        try (TestServer server = new TestServer(dir, new CompactionPolicy(64, 2, 100_000),
                b -> b)) {
            for (Case c : cases) {
                String key = c.template() + " " + c.method() + " " + c.status();
                HttpResponse<String> response;
                try {
                    response = server.send(request(server, c));
                } catch (RuntimeException e) {
                    throw new AssertionError(key + " (" + c.path() + ")", e);
                }
                assertEquals(c.status(), response.statusCode(), key + ": " + response.body());
                if (c.status() >= 400) {
                    assertEquals("application/problem+json", response.headers()
                            .firstValue("Content-Type").orElse(""), key);
                    assertFalse(response.body().contains("\tat "), key + " shows a stack trace");
                }
                answered.add(key);
            }
            // 501 and 502: a server without recall, over an engine whose summarizer fails.
            try (dev.palimpsest.store.memory.InMemoryConversationStore store =
                         new dev.palimpsest.store.memory.InMemoryConversationStore();
                 dev.palimpsest.engine.ConversationEngine engine =
                         dev.palimpsest.engine.ConversationEngine.builder(store)
                                 .policy(new CompactionPolicy(64, 1, 100_000))
                                 .summarizer(r -> {
                                     throw new IllegalStateException("model down");
                                 }).build()) {
                PalimpsestServer bare = PalimpsestServer.builder(engine)
                        .bearerToken(TestServer.TOKEN).start();
                try {
                    for (int i = 0; i < 3; i++) {
                        engine.appendRound("c1", "question " + i, "answer " + i);
                    }
                    String[][] more = {
                        {"/v1/search", "search?q=answer", "501"},
                        {"/v1/conversations/{conv_id}/context", "conversations/c1/context?query=x",
                            "501"},
                        {"/v1/conversations/{conv_id}/compact", "conversations/c1/compact", "502"},
                    };
                    for (String[] m : more) {
                        String method = m[0].endsWith("compact") ? "POST" : "GET";
                        HttpResponse<String> r = server.send(HttpRequest.newBuilder(
                                        bare.uri().resolve(m[1]))
                                .header("Authorization", "Bearer " + TestServer.TOKEN)
                                .method(method, HttpRequest.BodyPublishers.noBody()).build());
                        assertEquals(Integer.parseInt(m[2]), r.statusCode(), m[1] + ": "
                                + r.body());
                        answered.add(m[0] + " " + method + " " + m[2]);
                    }
                } finally {
                    bare.close();
                }
            }
            // 503: a draining server refuses every operation, health included.
            server.server.beginDrain();
            for (String route : documented) {
                String[] parts = route.split(" ");
                if (parts[2].equals("503")) {
                    String path = parts[0].replace("{conv_id}", "c1");
                    HttpResponse<String> r = server.send(server.request(path.substring(4))
                            .method(parts[1], HttpRequest.BodyPublishers.noBody()).build());
                    assertEquals(503, r.statusCode(), route);
                    answered.add(route);
                }
            }
        }
        Set<String> undocumented = new TreeSet<>(answered);
        undocumented.removeAll(documented);
        Set<String> unanswered = new TreeSet<>(documented);
        unanswered.removeAll(answered);
        assertTrue(undocumented.isEmpty(), "answered but not in docs/openapi.json: "
                + undocumented);
        assertTrue(unanswered.isEmpty(), "in docs/openapi.json but no test answers it: "
                + unanswered);
    }

    @Test
    void theServerServesTheCommittedDocument(@TempDir Path dir) throws Exception {
        try (TestServer server = new TestServer(dir)) {
            HttpResponse<String> served = server.get("openapi.json");
            assertEquals(200, served.statusCode());
            assertEquals(Files.readString(openApiFile(), StandardCharsets.UTF_8), served.body());
        }
    }

    private static HttpRequest request(TestServer server, Case c) {
        HttpRequest.Builder b = c.auth() ? server.request(c.path())
                : HttpRequest.newBuilder(server.uri(c.path()));
        if (c.header() != null) {
            b.header(c.header(), c.value());
        }
        if (c.body() != null) {
            if (!"Content-Type".equals(c.header())) {
                b.header("Content-Type", "application/json");
            }
            return b.method(c.method(), HttpRequest.BodyPublishers.ofString(c.body())).build();
        }
        return b.method(c.method(), HttpRequest.BodyPublishers.noBody()).build();
    }

    private static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String conv = "/v1/conversations/{conv_id}";
        String msgs = conv + "/messages";
        String rounds = conv + "/rounds";
        // In order: each case sees the state the earlier ones left.
        cases.add(new Case("GET", "/v1/health", 200, "health", null, null, null, false));
        cases.add(new Case("GET", "/v1/openapi.json", 200, "openapi.json", null, null, null,
                true));
        cases.add(new Case("GET", "/v1/openapi.json", 401, "openapi.json", null, null, null,
                false));
        cases.add(new Case("POST", msgs, 201, "conversations/c1/messages", USER, null, null,
                true));
        cases.add(new Case("POST", msgs, 200, "conversations/c1/messages", USER, null, null,
                true));
        cases.add(new Case("POST", msgs, 400, "conversations/c1/messages", "{\"role\":",
                null, null, true));
        cases.add(new Case("POST", msgs, 401, "conversations/c1/messages", USER, null, null,
                false));
        cases.add(new Case("POST", msgs, 409, "conversations/c1/messages",
                "{\"role\":\"user\",\"content\":\"other\",\"id\":\"u1\"}", null, null, true));
        cases.add(new Case("POST", msgs, 412, "conversations/c1/messages",
                "{\"role\":\"assistant\",\"content\":\"hi\"}", "If-Match", "\"7\"", true));
        cases.add(new Case("POST", msgs, 413, "conversations/c1/messages",
                "{\"role\":\"user\",\"content\":\"" + "x".repeat(9 << 20) + "\"}", null, null,
                true));
        cases.add(new Case("POST", msgs, 415, "conversations/c1/messages", USER,
                "Content-Type", "text/plain", true));
        cases.add(new Case("POST", rounds, 201, "conversations/c1/rounds",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\",\"id\":\"u2\"},"
                        + "{\"role\":\"assistant\",\"content\":\"\",\"id\":\"a2\",\"tool_calls\":"
                        + "[{\"id\":\"t1\",\"type\":\"function\",\"function\":{\"name\":"
                        + "\"weather\",\"arguments\":\"{}\"}}]},{\"role\":\"tool\","
                        + "\"tool_call_id\":\"t1\",\"name\":\"weather\",\"content\":\"sunny\","
                        + "\"id\":\"r2\"},{\"role\":\"assistant\",\"content\":\"sunny\","
                        + "\"id\":\"a3\"}]}", null, null, true));
        cases.add(new Case("POST", rounds, 200, "conversations/c1/rounds",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"weather?\",\"id\":\"u2\"}]}",
                null, null, true));
        cases.add(new Case("POST", rounds, 400, "conversations/c1/rounds",
                "{\"role\":\"assistant\",\"content\":\"no user\"}", null, null, true));
        cases.add(new Case("POST", rounds, 401, "conversations/c1/rounds", USER, null, null,
                false));
        cases.add(new Case("POST", rounds, 409, "conversations/c1/rounds",
                "{\"role\":\"user\",\"content\":\"changed\",\"id\":\"u2\"}", null, null, true));
        cases.add(new Case("POST", rounds, 412, "conversations/c1/rounds?expected_round=1",
                "{\"role\":\"user\",\"content\":\"late\"}", null, null, true));
        cases.add(new Case("POST", rounds, 413, "conversations/c1/rounds",
                "{\"role\":\"user\",\"content\":\"" + "x".repeat(9 << 20) + "\"}", null, null,
                true));
        cases.add(new Case("POST", rounds, 415, "conversations/c1/rounds", USER,
                "Content-Type", "application/json; charset=latin1", true));
        for (int i = 3; i <= 6; i++) {
            cases.add(new Case("POST", rounds, 201, "conversations/c1/rounds", "{\"role\":"
                    + "\"user\",\"content\":\"round " + i + " about tides\",\"id\":\"u" + i
                    + "\"}", null, null, true));
        }
        cases.add(new Case("GET", "/v1/conversations", 200, "conversations?limit=1", null,
                null, null, true));
        cases.add(new Case("GET", "/v1/conversations", 400, "conversations?limit=0", null,
                null, null, true));
        cases.add(new Case("GET", "/v1/conversations", 401, "conversations", null, null, null,
                false));
        cases.add(new Case("GET", conv, 200, "conversations/c1", null, null, null, true));
        cases.add(new Case("GET", conv, 304, "conversations/c1", null, "If-None-Match",
                "\"6\"", true));
        cases.add(new Case("GET", conv, 400, "conversations/c1?x=1", null, null, null, true));
        cases.add(new Case("GET", conv, 401, "conversations/c1", null, null, null, false));
        cases.add(new Case("GET", conv, 404, "conversations/nobody", null, null, null, true));
        cases.add(new Case("GET", msgs, 200, "conversations/c1/messages?after=1&limit=2", null,
                null, null, true));
        cases.add(new Case("GET", msgs, 400, "conversations/c1/messages?after=-1", null, null,
                null, true));
        cases.add(new Case("GET", msgs, 401, "conversations/c1/messages", null, null, null,
                false));
        cases.add(new Case("GET", msgs, 404, "conversations/nobody/messages", null, null, null,
                true));
        cases.add(new Case("GET", conv + "/context", 200,
                "conversations/c1/context?query=tides&budget=500&format=openai", null, null,
                null, true));
        cases.add(new Case("GET", conv + "/context", 400, "conversations/c1/context?format=xml",
                null, null, null, true));
        cases.add(new Case("GET", conv + "/context", 401, "conversations/c1/context", null,
                null, null, false));
        cases.add(new Case("GET", conv + "/context", 404, "conversations/nobody/context", null,
                null, null, true));
        cases.add(new Case("GET", "/v1/search", 200, "search?q=tides&limit=3", null, null, null,
                true));
        cases.add(new Case("GET", "/v1/search", 400, "search", null, null, null, true));
        cases.add(new Case("GET", "/v1/search", 401, "search?q=tides", null, null, null, false));
        cases.add(new Case("POST", conv + "/compact", 200, "conversations/c1/compact", null,
                null, null, true));
        cases.add(new Case("POST", conv + "/compact", 202, "conversations/c1/compact?wait=false",
                null, null, null, true));
        cases.add(new Case("POST", conv + "/compact", 400, "conversations/c1/compact?wait=soon",
                null, null, null, true));
        cases.add(new Case("POST", conv + "/compact", 401, "conversations/c1/compact", null,
                null, null, false));
        cases.add(new Case("POST", conv + "/compact", 404, "conversations/nobody/compact", null,
                null, null, true));
        cases.add(new Case("DELETE", conv, 400, "conversations/c1", null, "If-Match", "\"1\"",
                true));
        cases.add(new Case("DELETE", conv, 401, "conversations/c1", null, null, null, false));
        cases.add(new Case("DELETE", conv, 204, "conversations/c1", null, null, null, true));
        cases.add(new Case("DELETE", conv, 404, "conversations/c1", null, null, null, true));
        return cases;
    }

    static Path openApiFile() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs/openapi.json"))) {
            dir = dir.getParent();
        }
        return dir.resolve("docs/openapi.json");
    }

    /** {@return "PATH METHOD STATUS" for every response of every operation of the document} */
    static Set<String> documented() throws IOException {
        Set<String> out = new TreeSet<>();
        try (JsonParser p = new JsonFactory().createParser(openApiFile().toFile())) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String top = p.currentName();
                p.nextToken();
                if (!top.equals("paths")) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String path = p.currentName();
                    p.nextToken();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String method = p.currentName();
                        p.nextToken();
                        if (!Set.of("get", "post", "delete", "put", "patch").contains(method)) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            p.nextToken();
                            if (field.equals("responses")) {
                                while (p.nextToken() == JsonToken.FIELD_NAME) {
                                    out.add(path + " " + method.toUpperCase(java.util.Locale.ROOT)
                                            + " " + p.currentName());
                                    p.nextToken();
                                    p.skipChildren();
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                }
            }
        }
        return out;
    }
}
