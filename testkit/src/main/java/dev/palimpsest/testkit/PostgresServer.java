package dev.palimpsest.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server of the machine's own installation, started for tests in a temporary
 * directory on a private loopback port, with a password of its own; stopped and deleted by
 * {@link #close} (or, if the test JVM ends first, by a shutdown hook).
 *
 * <p>The server binaries are looked up in {@code PALIMPSEST_PG_BIN}, then in Debian's
 * {@code /usr/lib/postgresql/<version>/bin} (the newest version), then on the {@code PATH}. There
 * is no fallback: without PostgreSQL, a test that needs it fails, naming what to install.
 * {@code initdb} refuses to run as root, so as root every server command runs as the
 * {@code postgres} user through {@code runuser}.
 */
public final class PostgresServer implements AutoCloseable {
    /** The superuser the tests connect as. */
    public static final String USER = "palimpsest";
    /** The database the tests use. */
    public static final String DATABASE = "postgres";

    private static final long COMMAND_SECONDS = 60;
    private static PostgresServer shared;

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final String password;
    private final List<String> settings;
    private final Thread hook;
    private boolean running;

    private PostgresServer(Path bin, Path dir, int port, String password, List<String> settings) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.password = password;
        this.settings = List.copyOf(settings);
        this.hook = new Thread(this::stopQuietly, "postgres-server-stop");
    }

    /**
     * {@return a server for the whole test JVM}, started at the first call and stopped when the
     * JVM ends: for tests that never stop or restart it
     */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    /**
     * Starts a server of its own, with the defaults (fsync and synchronous commit on).
     *
     * @param settings extra {@code name=value} server settings
     * @return the running server
     */
    public static PostgresServer start(String... settings) {
        Path bin = binaries();
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[18];
        random.nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        try {
            // Below /tmp, not the module's target/: as root the server runs as 'postgres', which
            // must be able to reach its directory.
            Path dir = Files.createTempDirectory(Path.of("/tmp"), "palimpsest-pg-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(
                            "rwx------")));
            PostgresServer server = new PostgresServer(bin, dir, freePort(), password,
                    List.of(settings));
            Runtime.getRuntime().addShutdownHook(server.hook);
            try {
                server.initialize();
                server.startServer();
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a directory for PostgreSQL", e);
        }
    }

    /** {@return the directory of the server binaries (initdb, pg_ctl, postgres)} */
    public static Path binaries() {
        String env = System.getenv("PALIMPSEST_PG_BIN");
        if (env != null && !env.isBlank()) {
            return checkBin(Path.of(env));
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                Path newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingInt(PostgresServer::version)).orElse(null);
                if (newest != null) {
                    return newest.resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!entry.isEmpty() && Files.isExecutable(Path.of(entry, "initdb"))
                    && Files.isExecutable(Path.of(entry, "pg_ctl"))) {
                return Path.of(entry).toAbsolutePath();
            }
        }
        throw new IllegalStateException("PostgreSQL server binaries not found (no"
                + " PALIMPSEST_PG_BIN, no /usr/lib/postgresql/*/bin/initdb, no initdb on the"
                + " PATH): install Debian's 'postgresql' package, as .ci/run does");
    }

    private static Path checkBin(Path bin) {
        if (!Files.isExecutable(bin.resolve("initdb")) || !Files.isExecutable(bin.resolve(
                "pg_ctl"))) {
            throw new IllegalStateException("PALIMPSEST_PG_BIN=" + bin
                    + " holds no initdb and pg_ctl");
        }
        return bin;
    }

    private static int version(Path dir) {
        try {
            return Integer.parseInt(dir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void initialize() throws IOException {
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        if (root()) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
            Files.setOwner(pwfile, postgres);
        }
        run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                "--pwfile=" + pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C",
                "--no-sync", "--no-instructions"));
        Files.delete(pwfile);
    }

    private void startServer() {
        StringBuilder options = new StringBuilder("-p " + port
                + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + dir
                + " -c max_connections=200 -c fsync=on -c synchronous_commit=on");
        for (String s : settings) {
            options.append(" -c ").append(s);
        }
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                options.toString(), "start"));
        running = true;
    }

    /** {@return the JDBC URL of the test database} */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** {@return the {@code postgresql://} URL a user gives the command line} */
    public String url() {
        return "postgresql://" + USER + "@127.0.0.1:" + port + "/" + DATABASE;
    }

    /** {@return the loopback port} */
    public int port() {
        return port;
    }

    /** {@return the password of {@link #USER}} */
    public String password() {
        return password;
    }

    /** {@return the server's log, for a failing test to show} */
    public String log() {
        try {
            return Files.readString(dir.resolve("server.log"));
        } catch (IOException e) {
            return "(no server log: " + e + ")";
        }
    }

    /** Stops the server as a power cut would stop it: no checkpoint, no goodbye to clients. */
    public synchronized void crash() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
                "immediate", "-w", "stop"));
        running = false;
    }

    /** Stops the server cleanly, ending every session. */
    public synchronized void stop() {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast",
                "-w", "stop"));
        running = false;
    }

    /** Starts the stopped server again on the same port and data. */
    public synchronized void restart() {
        if (running) {
            stop();
        }
        startServer();
    }

    private void run(List<String> command) {
        List<String> full = new ArrayList<>();
        if (root()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            // The output is short; read it fully, then wait, so that a full pipe never blocks.
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end in "
                        + COMMAND_SECONDS + " s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " exited "
                        + p.exitValue() + ": " + out.strip() + "\n" + log());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + command.get(0), e);
        }
    }

    private synchronized void stopQuietly() {
        if (running) {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m",
                        "immediate", "-w", "stop"));
            } catch (RuntimeException e) {
                // Going away anyway: the directory below is removed whatever happened.
            }
            running = false;
        }
        deleteTree(dir);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // A file the server wrote while stopping; the next walk of /tmp finds it.
        }
    }

    /** Stops the server and deletes its directory. */
    @Override
    public void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running or ran.
        }
    }
}
