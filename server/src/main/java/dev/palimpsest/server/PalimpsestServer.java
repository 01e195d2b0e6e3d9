package dev.palimpsest.server;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.server.internal.Api;
import dev.palimpsest.server.internal.HttpProperties;
import dev.palimpsest.server.internal.Workers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/**
 * The HTTP/1.1 JSON API over a {@link ConversationEngine}, on the JDK's {@code jdk.httpserver}:
 * the routes of {@code docs/openapi.json} under {@code /v1}. Built with {@link #builder}, started
 * by {@link Builder#start()}, drained by {@link #close()}.
 *
 * <p>Secure by default: it binds {@code 127.0.0.1}; a bind to any other address needs TLS
 * ({@link Builder#tls}) unless {@link Builder#allowPlainHttp()} says otherwise; every request
 * but {@code GET /v1/health} needs the bearer token, compared in constant time, unless
 * {@link Builder#noAuth()} (loopback binds only). Bodies, headers, time and concurrency are
 * bounded by {@link ServerLimits}.
 *
 * <p>The JDK server reads its header and timeout bounds from system properties, once per JVM:
 * the first server started in a JVM sets those of its limits that the user did not set, and a
 * later server with other limits logs that they were fixed earlier.
 */
public final class PalimpsestServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PalimpsestServer.class.getName());

    private final HttpServer http;
    private final Api api;
    private final Workers executor;
    private final ServerLimits limits;
    private final boolean tls;
    private boolean closed;

    private PalimpsestServer(HttpServer http, Api api, Workers executor,
                             ServerLimits limits, boolean tls) {
        this.http = http;
        this.api = api;
        this.executor = executor;
        this.limits = limits;
        this.tls = tls;
    }

    /**
     * {@return a builder of a server over {@code engine}}; the server never closes the engine
     *
     * @param engine the engine whose store and recall the API serves
     */
    public static Builder builder(ConversationEngine engine) {
        return new Builder(engine);
    }

    /** {@return the address the server listens on, with the port the system chose for 0} */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    /** {@return the base URI of the API, such as {@code http://127.0.0.1:8080/v1/}} */
    public URI uri() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create((tls ? "https" : "http") + "://" + host + ":" + a.getPort() + "/v1/");
    }

    /**
     * Starts draining without stopping: from now on every request but those in flight gets 503,
     * {@code GET /v1/health} included, so that a load balancer moves clients elsewhere before
     * {@link #close()}.
     */
    public void beginDrain() {
        api.drain();
    }

    /**
     * Drains and stops: new requests are refused with 503 (and new connections, once the
     * listener is closed), requests in flight get the limits' drain timeout to finish, then
     * every connection is closed. Appends acknowledged before are durable whatever happens here:
     * an append is acknowledged only once the store committed it. Calling it again does nothing.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        api.drain();
        // Waited here rather than by stop(delay), which on JDK 17 always takes the whole delay;
        // meanwhile new requests get 503 instead of a refused connection.
        if (!api.awaitIdle(limits.drainTimeout())) {
            LOG.log(System.Logger.Level.WARNING, "requests still in flight after the drain"
                    + " timeout of {0}: their connections are closed", limits.drainTimeout());
        }
        http.stop(0);
        executor.pool().shutdown();
        try {
            if (!executor.pool().awaitTermination(1, TimeUnit.SECONDS)) {
                executor.pool().shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.pool().shutdownNow();
            Thread.currentThread().interrupt();
        }
        api.close();
        LOG.log(System.Logger.Level.INFO, "server on {0} stopped", uri());
    }

    /** Configures and starts a {@link PalimpsestServer}. */
    public static final class Builder {
        private final ConversationEngine engine;
        private InetSocketAddress bind = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                0);
        private Optional<byte[]> token = Optional.empty();
        private boolean noAuth;
        private Optional<SSLContext> tls = Optional.empty();
        private boolean allowPlainHttp;
        private ServerLimits limits = ServerLimits.DEFAULT;

        private Builder(ConversationEngine engine) {
            this.engine = Objects.requireNonNull(engine, "engine");
        }

        /**
         * Sets the address to listen on; default {@code 127.0.0.1} on a port the system
         * chooses (port 0).
         *
         * @param value the address and port
         * @return this builder
         */
        public Builder bind(InetSocketAddress value) {
            this.bind = Objects.requireNonNull(value, "bind");
            return this;
        }

        /**
         * Sets the bearer token every request but {@code GET /v1/health} must carry
         * ({@code Authorization: Bearer TOKEN}); at least 16 characters, no whitespace.
         *
         * @param value the token
         * @return this builder
         */
        public Builder bearerToken(String value) {
            Objects.requireNonNull(value, "token");
            if (value.length() < 16 || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw PalimpsestException.invalid("a bearer token must be at least 16 printable"
                        + " ASCII characters without spaces");
            }
            this.token = Optional.of(value.getBytes(StandardCharsets.US_ASCII));
            return this;
        }

        /**
         * Serves without a token: allowed on a loopback bind only, for one user's machine.
         *
         * @return this builder
         */
        public Builder noAuth() {
            this.noAuth = true;
            return this;
        }

        /**
         * Serves HTTPS with {@code context} (see {@link ServerTls#pkcs12}).
         *
         * @param context the TLS context
         * @return this builder
         */
        public Builder tls(SSLContext context) {
            this.tls = Optional.of(Objects.requireNonNull(context, "context"));
            return this;
        }

        /**
         * Allows plain HTTP on a bind that is not loopback (behind a TLS-terminating proxy).
         *
         * @return this builder
         */
        public Builder allowPlainHttp() {
            this.allowPlainHttp = true;
            return this;
        }

        /**
         * Sets the limits; default {@link ServerLimits#DEFAULT}.
         *
         * @param value the limits
         * @return this builder
         */
        public Builder limits(ServerLimits value) {
            this.limits = Objects.requireNonNull(value, "limits");
            return this;
        }

        /**
         * Checks the configuration, binds and starts serving.
         *
         * @return the running server
         * @throws PalimpsestException {@code INVALID_INPUT} for a configuration that is not
         *         safe (no token and no {@code noAuth}, {@code noAuth} or plain HTTP on a bind
         *         that is not loopback), {@code IO} if the address cannot be bound
         */
        public PalimpsestServer start() {
            boolean loopback = bind.getAddress() != null && bind.getAddress().isLoopbackAddress();
            if (bind.isUnresolved()) {
                throw PalimpsestException.invalid("cannot resolve the bind address '"
                        + bind.getHostString() + "'");
            }
            if (noAuth && token.isPresent()) {
                throw PalimpsestException.invalid("a bearer token and noAuth exclude each other");
            }
            if (!noAuth && token.isEmpty()) {
                throw PalimpsestException.invalid("the server needs a bearer token (or noAuth,"
                        + " on a loopback bind only)");
            }
            if (noAuth && !loopback) {
                throw PalimpsestException.invalid("noAuth is allowed on a loopback bind only, not"
                        + " on " + bind.getAddress().getHostAddress());
            }
            if (tls.isEmpty() && !loopback && !allowPlainHttp) {
                throw PalimpsestException.invalid("a bind to " + bind.getAddress()
                        .getHostAddress() + " (not loopback) needs TLS, or allowPlainHttp behind"
                        + " a proxy that terminates TLS");
            }
            HttpProperties.apply(limits);
            Workers executor = new Workers(limits.threads(), limits.maxQueued());
            Api api = new Api(engine, token, limits);
            HttpServer http;
            try {
                if (tls.isPresent()) {
                    HttpsServer https = HttpsServer.create(bind, 0);
                    https.setHttpsConfigurator(new HttpsConfigurator(tls.get()));
                    http = https;
                } else {
                    http = HttpServer.create(bind, 0);
                }
            } catch (IOException e) {
                api.close();
                executor.pool().shutdown();
                throw new PalimpsestException(FailureKind.IO, null, "cannot listen on "
                        + bind + ": " + e.getMessage(), e);
            }
            http.createContext("/", api);
            http.setExecutor(executor);
            http.start();
            PalimpsestServer server = new PalimpsestServer(http, api, executor, limits,
                    tls.isPresent());
            LOG.log(System.Logger.Level.INFO, "serving {0}", server.uri());
            return server;
        }
    }
}
