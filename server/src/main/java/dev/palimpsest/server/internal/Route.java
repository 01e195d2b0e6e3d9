package dev.palimpsest.server.internal;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.ConversationIds;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A request's route: which operation, and the conversation id its path names. The id is one
 * path segment, percent-decoded as strict UTF-8 ({@code %2F} for a slash in an id), and checked
 * by the store's own rules; nothing else of a path reaches the store.
 *
 * @param name   the operation
 * @param convId the conversation, or null for routes of none
 */
record Route(Name name, String convId) {
    /** The operations of {@code docs/openapi.json}. */
    enum Name {
        HEALTH, OPENAPI, LIST, CONVERSATION, DELETE, APPEND_MESSAGES, APPEND_ROUND, TRANSCRIPT,
        CONTEXT, COMPACT, SEARCH
    }

    static Route of(String method, URI uri) {
        String path = uri.getRawPath();
        if (path == null || !path.startsWith("/v1/")) {
            throw noRoute(path);
        }
        String[] s = path.substring(4).split("/", -1);
        if (s.length == 1) {
            return switch (s[0]) {
                case "health" -> only(method, "GET", new Route(Name.HEALTH, null));
                case "openapi.json" -> only(method, "GET", new Route(Name.OPENAPI, null));
                case "conversations" -> only(method, "GET", new Route(Name.LIST, null));
                case "search" -> only(method, "GET", new Route(Name.SEARCH, null));
                default -> throw noRoute(path);
            };
        }
        if (!s[0].equals("conversations") || s.length > 3) {
            throw noRoute(path);
        }
        String convId = decode(s[1]);
        if (s.length == 2) {
            return switch (method) {
                case "GET" -> new Route(Name.CONVERSATION, convId);
                case "DELETE" -> new Route(Name.DELETE, convId);
                default -> throw notAllowed(method, "GET, DELETE");
            };
        }
        return switch (s[2]) {
            case "messages" -> switch (method) {
                case "GET" -> new Route(Name.TRANSCRIPT, convId);
                case "POST" -> new Route(Name.APPEND_MESSAGES, convId);
                default -> throw notAllowed(method, "GET, POST");
            };
            case "rounds" -> only(method, "POST", new Route(Name.APPEND_ROUND, convId));
            case "context" -> only(method, "GET", new Route(Name.CONTEXT, convId));
            case "compact" -> only(method, "POST", new Route(Name.COMPACT, convId));
            default -> throw noRoute(path);
        };
    }

    private static Route only(String method, String allowed, Route route) {
        if (!method.equals(allowed)) {
            throw notAllowed(method, allowed);
        }
        return route;
    }

    private static ApiError notAllowed(String method, String allowed) {
        return new ApiError(405, "method-not-allowed", "Method not allowed", "this resource"
                + " takes " + allowed + ", not " + Json.oneLine(method), Map.of("Allow", allowed));
    }

    private static ApiError noRoute(String path) {
        return new ApiError(404, "no-route", "Not found", "no resource at '"
                + Json.oneLine(String.valueOf(path)) + "'; the API is under /v1/"
                + " (GET /v1/openapi.json lists it)");
    }

    /** Percent-decodes one segment (or query part) as strict UTF-8, and checks it as an id. */
    private static String decode(String segment) {
        String id = percentDecode(segment, false, "the conversation id in the path");
        try {
            ConversationIds.check(id);
        } catch (PalimpsestException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        return id;
    }

    /**
     * Percent-decodes {@code raw} as strict UTF-8.
     *
     * @param raw       the encoded text
     * @param plusSpace whether {@code +} is a space (query strings)
     * @param what      what it is, for the refusal
     */
    static String percentDecode(String raw, boolean plusSpace, String what) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (lo < 0) {
                    throw ApiError.badRequest(what + " has a malformed %-escape");
                }
                bytes.write(hi * 16 + lo);
                i += 2;
            } else if (c == '+' && plusSpace) {
                bytes.write(' ');
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest(what + " is not UTF-8 once %-decoded");
        }
    }
}
