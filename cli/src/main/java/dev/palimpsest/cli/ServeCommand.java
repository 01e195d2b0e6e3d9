package dev.palimpsest.cli;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.server.PalimpsestServer;
import dev.palimpsest.server.ServerLimits;
import dev.palimpsest.server.ServerTls;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code palimpsest serve}: the HTTP API over the configured store, until SIGTERM or SIGINT,
 * which drain it (requests in flight finish, new ones get 503) before the process exits.
 */
final class ServeCommand implements Subcommand {
    /** The variable that holds the bearer token, when no --token-file is given. */
    static final String TOKEN_VARIABLE = "PALIMPSEST_TOKEN";
    /** The variable that holds the keystore's password, when no --tls-password-file is given. */
    static final String TLS_PASSWORD_VARIABLE = "PALIMPSEST_TLS_PASSWORD";
    /** The port served when --bind names none. */
    static final int DEFAULT_PORT = 8420;

    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("serve", "Serve the HTTP API (docs/server.md) over the"
                        + " configured store until SIGTERM, which drains it.",
                "Binds 127.0.0.1:" + DEFAULT_PORT + " unless --bind says otherwise (port 0: any"
                        + " free port); prints 'serving URL' once it listens. Every request but"
                        + " GET /v1/health needs the bearer token of --token-file or $"
                        + TOKEN_VARIABLE + ", unless --no-auth (loopback only). A bind that is"
                        + " not loopback needs --tls-keystore, or --allow-plain-http behind a"
                        + " proxy that terminates TLS.");
        spec.addOption(Specs.option("--bind", "HOST:PORT", String.class,
                "The address to listen on (default 127.0.0.1:" + DEFAULT_PORT + ")."));
        spec.addOption(Specs.option("--token-file", "FILE", Path.class,
                "The file whose first line is the bearer token (default: $" + TOKEN_VARIABLE
                        + ")."));
        spec.addOption(Specs.flag("--no-auth", "Serve without a token (loopback binds only)."));
        spec.addOption(Specs.option("--tls-keystore", "FILE", Path.class,
                "Serve HTTPS with the key and certificate of this PKCS#12 keystore; its"
                        + " password from --tls-password-file or $" + TLS_PASSWORD_VARIABLE
                        + " (default: plain HTTP, loopback binds only)."));
        spec.addOption(Specs.option("--tls-password-file", "FILE", Path.class,
                "The file whose first line is the keystore's password (default: $"
                        + TLS_PASSWORD_VARIABLE + ")."));
        spec.addOption(Specs.flag("--allow-plain-http",
                "Allow plain HTTP on a bind that is not loopback."));
        spec.addOption(Specs.option("--max-body", "BYTES", Long.class,
                "The largest request body (default " + ServerLimits.DEFAULT.maxBodyBytes()
                        + ")."));
        spec.addOption(Specs.option("--threads", "N", Integer.class,
                "The threads serving requests (default " + ServerLimits.DEFAULT.threads()
                        + ")."));
        PolicyOptions.addTo(spec);
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        Terminal terminal = invocation.terminal();
        Session session = invocation.session();
        InetSocketAddress bind = bind(invocation.value("--bind"));
        PalimpsestServer.Builder builder;
        ServerLimits limits = ServerLimits.DEFAULT;
        Long maxBody = invocation.value("--max-body");
        if (maxBody != null) {
            limits = limits.withMaxBodyBytes(maxBody);
        }
        Integer threads = invocation.value("--threads");
        if (threads != null) {
            limits = limits.withThreads(threads, limits.maxQueued());
        }
        PolicyOptions policy = PolicyOptions.of(invocation);
        LauncherConfig config = session.config();
        ConversationStore store = session.openStoreToWrite();
        Recall recall = null;
        ExecutorService compactions = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "palimpsest-compaction");
            t.setDaemon(true);
            return t;
        });
        ConversationEngine engine;
        PalimpsestServer server;
        try {
            recall = Recalls.open(session, store);
            // Appends are acknowledged once durable; the compactions they start run on.
            engine = ConversationEngine.builder(store).policy(policy.policy(config))
                    .summarizer(policy.summarizer(config, terminal.env())).recall(recall)
                    .executor(compactions).build();
            builder = PalimpsestServer.builder(engine).bind(bind).limits(limits);
            configureSecurity(invocation, builder);
            server = builder.start();
        } catch (RuntimeException e) {
            compactions.shutdownNow();
            if (recall != null) {
                recall.close();
            }
            store.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Recall opened = recall;
        Thread drain = new Thread(() -> {
            try {
                server.close();
                engine.close();
                compactions.shutdown();
                opened.close();
                store.close();
            } finally {
                stopped.countDown();
            }
        }, "palimpsest-drain");
        Runtime.getRuntime().addShutdownHook(drain);
        terminal.out().println("serving " + server.uri() + " (store: " + session.storeDisplay()
                + ")");
        terminal.out().flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ExitCode.OK;
    }

    private static void configureSecurity(Invocation invocation, PalimpsestServer.Builder builder) {
        Terminal terminal = invocation.terminal();
        boolean noAuth = invocation.flag("--no-auth");
        Path tokenFile = invocation.value("--token-file");
        String token = tokenFile != null ? Session.secretFile(tokenFile, "--token-file")
                : terminal.env().get(TOKEN_VARIABLE);
        if (noAuth && (tokenFile != null)) {
            throw CliException.usage("--no-auth and --token-file exclude each other");
        }
        if (noAuth) {
            builder.noAuth();
        } else if (token == null || token.isEmpty()) {
            throw CliException.usage("serve needs a bearer token: --token-file FILE or $"
                    + TOKEN_VARIABLE + " (or --no-auth on a loopback bind)");
        } else {
            builder.bearerToken(token);
        }
        Path keystore = invocation.value("--tls-keystore");
        Path passwordFile = invocation.value("--tls-password-file");
        if (keystore != null) {
            String password = passwordFile != null
                    ? Session.secretFile(passwordFile, "--tls-password-file")
                    : terminal.env().getOrDefault(TLS_PASSWORD_VARIABLE, "");
            builder.tls(ServerTls.pkcs12(keystore, password.toCharArray()));
        } else if (passwordFile != null) {
            throw CliException.usage("--tls-password-file needs --tls-keystore");
        }
        if (invocation.flag("--allow-plain-http")) {
            builder.allowPlainHttp();
        }
    }

    private static InetSocketAddress bind(String value) {
        if (value == null) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), DEFAULT_PORT);
        }
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw CliException.usage("--bind must be HOST:PORT, was '" + Text.oneLine(value) + "'");
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw CliException.usage("--bind needs a port 0 to 65535, was '"
                    + Text.oneLine(value) + "'");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host.isEmpty() ? "127.0.0.1"
                    : host), port);
        } catch (UnknownHostException e) {
            throw CliException.usage("--bind names a host that does not resolve: '"
                    + Text.oneLine(host) + "'");
        }
    }
}
