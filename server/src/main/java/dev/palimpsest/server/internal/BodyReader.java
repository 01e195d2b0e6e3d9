package dev.palimpsest.server.internal;

import com.sun.net.httpserver.HttpExchange;
import dev.palimpsest.server.ServerLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reads request bodies within the limits: JSON only, at most {@code maxBodyBytes}, strict
 * UTF-8, and sent within {@code requestTimeout}. The JDK server bounds the time of a request's
 * headers but not of its body, which the handler reads from a blocking channel: a watchdog
 * interrupts a read that outlasts the timeout, which closes that connection (the channel is
 * interruptible) and frees the thread.
 */
final class BodyReader {
    /** The read outlasted the request timeout; its connection is closed, nothing is answered. */
    static final class TimedOut extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TimedOut() {
            super("the request body was not sent in time", null, false, false);
        }
    }

    private final ScheduledExecutorService watchdog;
    private final ServerLimits limits;

    BodyReader(ScheduledExecutorService watchdog, ServerLimits limits) {
        this.watchdog = watchdog;
        this.limits = limits;
    }

    void close() {
        watchdog.shutdownNow();
    }

    /** {@return the body of a JSON request, as text} */
    String readJson(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !isJson(type)) {
            throw new ApiError(415, "unsupported-media-type", "Unsupported media type",
                    "the body must be application/json (UTF-8), was "
                            + (type == null ? "no Content-Type" : "'" + Json.oneLine(type) + "'"),
                    Map.of("Accept-Post", "application/json"));
        }
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw ApiError.badRequest("Content-Length is not a number");
            }
            if (declared > limits.maxBodyBytes()) {
                if (declared <= 4 * limits.maxBodyBytes()) {
                    // Read and dropped (within the request timeout), so that a client that
                    // sends the whole body before it reads gets the 413 rather than a reset.
                    read(exchange.getRequestBody(), false);
                    throw new ApiError(413, "too-large", "Content too large", "the request body ("
                            + declared + " bytes) is larger than the server's limit of "
                            + limits.maxBodyBytes() + " bytes");
                }
                throw tooLarge(declared + " bytes");
            }
        }
        byte[] bytes = read(exchange.getRequestBody(), true);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ApiError.badRequest("the request body is not UTF-8");
        }
    }

    private ApiError tooLarge(String size) {
        return new ApiError(413, "too-large", "Content too large", "the request body ("
                + size + ") is larger than the server's limit of " + limits.maxBodyBytes()
                + " bytes", Map.of("Connection", "close"));
    }

    private static boolean isJson(String type) {
        String[] parts = type.toLowerCase(Locale.ROOT).split(";");
        if (!parts[0].trim().equals("application/json")) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim().replace("\"", "");
            if (p.startsWith("charset=") && !p.equals("charset=utf-8")) {
                return false;
            }
        }
        return true;
    }

    /** Reads a body, keeping it (at most the limit) or dropping it (all of it). */
    private byte[] read(InputStream in, boolean keep) throws IOException {
        Thread reader = Thread.currentThread();
        Object guard = new Object();
        boolean[] state = new boolean[2]; // [done, timedOut]
        ScheduledFuture<?> alarm = watchdog.schedule(() -> {
            synchronized (guard) {
                if (!state[0]) {
                    state[1] = true;
                    reader.interrupt();
                }
            }
        }, limits.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        IOException failure = null;
        try {
            byte[] buffer = new byte[16 * 1024];
            long total = 0;
            int n;
            while ((n = in.read(buffer)) > 0) {
                total += n;
                if (!keep) {
                    continue;
                }
                if (total > limits.maxBodyBytes()) {
                    throw tooLarge("more than " + limits.maxBodyBytes() + " bytes");
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            alarm.cancel(false);
            synchronized (guard) {
                state[0] = true;
            }
            if (state[1]) {
                // The interrupt was delivered inside the guard: clear it, so that nothing
                // later on this thread (a store's file channel) is closed by it.
                Thread.interrupted();
            }
        }
        if (state[1]) {
            throw new TimedOut();
        }
        if (failure != null) {
            throw failure;
        }
        return out.toByteArray();
    }
}
