package dev.palimpsest.server;

import dev.palimpsest.model.PalimpsestException;
import java.time.Duration;

/**
 * The bounds of a {@link PalimpsestServer}: what one request may send, how long it may take, and
 * how much work the server takes on at once. A request past a bound is refused with a problem
 * document (413, 503), or its connection is closed (a slow client), never served at the cost
 * of the others.
 *
 * @param maxBodyBytes    the largest request body, in bytes; a larger one gets 413 unread
 * @param maxHeaderBytes  the most bytes of request line and headers; past it the connection is
 *                        closed (the JDK server's {@code sun.net.httpserver.maxReqHeaderSize})
 * @param threads         the threads that serve requests
 * @param maxQueued       the requests that may wait for a thread; past it a request gets 503
 * @param requestTimeout  the longest a client may take to send a request, headers and body;
 *                        a slower one has its connection closed
 * @param responseTimeout the longest a client may take to read a response
 * @param idleTimeout     how long an idle keep-alive connection stays open
 * @param drainTimeout    how long {@link PalimpsestServer#close()} waits for requests in flight
 */
public record ServerLimits(long maxBodyBytes, int maxHeaderBytes, int threads, int maxQueued,
                           Duration requestTimeout, Duration responseTimeout,
                           Duration idleTimeout, Duration drainTimeout) {

    /**
     * 8 MiB bodies, 64 KiB of headers, 16 threads, 256 queued requests, 30 s to send a request,
     * 60 s to read a response, 30 s idle, 10 s to drain.
     */
    public static final ServerLimits DEFAULT = new ServerLimits(8L << 20, 64 << 10, 16, 256,
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(30),
            Duration.ofSeconds(10));

    /**
     * Validates every bound.
     *
     * @param maxBodyBytes    the largest request body, at least 1
     * @param maxHeaderBytes  the most bytes of headers, at least 1024
     * @param threads         the serving threads, 1 to 1024
     * @param maxQueued       the requests that may wait, 0 to 100,000
     * @param requestTimeout  the longest to send a request, at least 1 s
     * @param responseTimeout the longest to read a response, at least 1 s
     * @param idleTimeout     the idle time of a connection, at least 1 s
     * @param drainTimeout    the longest to drain, at least 0
     */
    public ServerLimits {
        if (maxBodyBytes < 1) {
            throw PalimpsestException.invalid("maxBodyBytes must be at least 1, was "
                    + maxBodyBytes);
        }
        if (maxHeaderBytes < 1024) {
            throw PalimpsestException.invalid("maxHeaderBytes must be at least 1024, was "
                    + maxHeaderBytes);
        }
        if (threads < 1 || threads > 1024) {
            throw PalimpsestException.invalid("threads must be 1 to 1024, was " + threads);
        }
        if (maxQueued < 0 || maxQueued > 100_000) {
            throw PalimpsestException.invalid("maxQueued must be 0 to 100000, was " + maxQueued);
        }
        atLeastOneSecond(requestTimeout, "requestTimeout");
        atLeastOneSecond(responseTimeout, "responseTimeout");
        atLeastOneSecond(idleTimeout, "idleTimeout");
        if (drainTimeout == null || drainTimeout.isNegative()) {
            throw PalimpsestException.invalid("drainTimeout must be 0 or more, was "
                    + drainTimeout);
        }
    }

    private static void atLeastOneSecond(Duration value, String name) {
        if (value == null || value.compareTo(Duration.ofSeconds(1)) < 0) {
            throw PalimpsestException.invalid(name + " must be at least 1 s, was " + value);
        }
    }

    /**
     * {@return these limits with another largest body}
     *
     * @param bytes the largest request body
     */
    public ServerLimits withMaxBodyBytes(long bytes) {
        return new ServerLimits(bytes, maxHeaderBytes, threads, maxQueued, requestTimeout,
                responseTimeout, idleTimeout, drainTimeout);
    }

    /**
     * {@return these limits with other thread and queue bounds}
     *
     * @param threads   the serving threads
     * @param maxQueued the requests that may wait for one
     */
    public ServerLimits withThreads(int threads, int maxQueued) {
        return new ServerLimits(maxBodyBytes, maxHeaderBytes, threads, maxQueued,
                requestTimeout, responseTimeout, idleTimeout, drainTimeout);
    }

    /**
     * {@return these limits with other timeouts}
     *
     * @param request  the longest to send a request
     * @param response the longest to read a response
     * @param idle     the idle time of a connection
     * @param drain    the longest to drain
     */
    public ServerLimits withTimeouts(Duration request, Duration response, Duration idle,
                                     Duration drain) {
        return new ServerLimits(maxBodyBytes, maxHeaderBytes, threads, maxQueued, request,
                response, idle, drain);
    }
}
