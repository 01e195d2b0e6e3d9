package dev.palimpsest.server.internal;

import java.util.Map;

/**
 * A refusal of the HTTP layer itself (no route, a wrong method or content type, a body too
 * large, no token), answered as a problem document with its status; failures of the engine and
 * the store are {@code PalimpsestException}s and carry their kind instead.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String title;
    final transient Map<String, String> headers;

    ApiError(int status, String type, String title, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.title = title;
        this.headers = Map.copyOf(headers);
    }

    ApiError(int status, String type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    static ApiError badRequest(String detail) {
        return new ApiError(400, "bad-request", "Bad request", detail);
    }
}
