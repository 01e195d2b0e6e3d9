package dev.palimpsest.server.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A response, complete before anything is sent: a failure while it is built becomes a problem
 * document instead of half a body.
 *
 * @param status      the status
 * @param contentType its media type, or null without a body
 * @param body        the body (empty for 204 and 304)
 * @param headers     more headers
 */
record Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    static Reply json(int status, byte[] body) {
        return new Reply(status, "application/json", body, Map.of());
    }

    static Reply text(int status, String text) {
        return new Reply(status, "text/plain; charset=utf-8",
                text.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static Reply empty(int status) {
        return new Reply(status, null, new byte[0], Map.of());
    }

    static Reply notModified(String etag) {
        return new Reply(304, null, new byte[0], Map.of("ETag", etag));
    }

    static Reply resource(String name, String type) {
        try (InputStream in = Reply.class.getResourceAsStream("/dev/palimpsest/server/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + name);
            }
            return new Reply(200, type, in.readAllBytes(), Map.of());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return an RFC 9457 problem document for a failure of the engine or the store} */
    static Reply failure(PalimpsestException e) {
        String kind = e.kind().name();
        Map<String, String> headers = switch (e.kind()) {
            case IO -> Map.of("Retry-After", "1");
            default -> Map.of();
        };
        return problem(e.kind().httpStatus(), kind.toLowerCase(Locale.ROOT).replace('_', '-'),
                title(e.kind().httpStatus()), e.getMessage(), headers, Optional.of(kind),
                e.convId());
    }

    static Reply problem(int status, String type, String title, String detail,
                         Map<String, String> headers, Optional<String> kind,
                         Optional<String> convId) {
        byte[] body = Json.object(g -> {
            g.writeStringField("type", "urn:palimpsest:problem:" + type);
            g.writeStringField("title", title);
            g.writeNumberField("status", status);
            g.writeStringField("detail", detail == null ? title : detail);
            if (kind.isPresent()) {
                g.writeStringField("kind", kind.get());
            }
            if (convId.isPresent()) {
                g.writeStringField("conv_id", convId.get());
            }
        });
        return new Reply(status, "application/problem+json", body, headers);
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad request";
            case 404 -> "Not found";
            case 409 -> "Conflict";
            case 412 -> "Precondition failed";
            case 413 -> "Content too large";
            case 502 -> "Bad gateway";
            case 503 -> "Service unavailable";
            default -> "Internal server error";
        };
    }

    Reply withHeader(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(headers);
        more.put(name, value);
        return new Reply(status, contentType, body, more);
    }

    /** Sends the response; {@return the bytes of its body} */
    long send(HttpExchange exchange) throws IOException {
        var h = exchange.getResponseHeaders();
        if (contentType != null) {
            h.set("Content-Type", contentType);
        }
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        headers.forEach(h::set);
        boolean noBody = status == 204 || status == 304;
        exchange.sendResponseHeaders(status, noBody ? -1 : body.length == 0 ? -1 : body.length);
        if (!noBody && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        return noBody ? 0 : body.length;
    }
}
