package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of the built image's own launcher as a child process that a test talks to while it
 * runs: reads its standard output line by line, signals it, and waits for its exit. Bounded:
 * every wait has a timeout, and closing kills the child if it still runs.
 *
 * <p>The child starts with SIGINT and SIGTERM at their default dispositions ({@code env
 * --default-signal}): a build started in the background by a non-interactive shell ignores
 * SIGINT, and an ignored signal stays ignored across {@code exec}, so the child would never see
 * the signal a test sends.
 */
final class LaunchedImage implements AutoCloseable {
    /** The longest any single wait of a test on a child may take. */
    static final long TIMEOUT_SECONDS = 60;

    private final Process process;
    private final BufferedReader stdout;
    private final CompletableFuture<String> stderr;

    private LaunchedImage(Process process) {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        this.stderr = readAllAsync(process.getErrorStream())
                .thenApply(bytes -> new String(bytes, StandardCharsets.UTF_8));
    }

    /** The image, as failsafe names it. */
    static Path image() {
        Path image = Path.of(System.getProperty("palimpsest.image", "target/image"));
        assertTrue(Files.isExecutable(image.resolve("bin/palimpsest")),
                "no launcher in " + image.toAbsolutePath());
        return image;
    }

    /** Starts {@code palimpsest ARGS...}, its standard input closed at once. */
    static LaunchedImage start(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal=INT,TERM",
                image().resolve("bin/palimpsest").toString()));
        command.addAll(Arrays.asList(args));
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            return new LaunchedImage(process);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code palimpsest ARGS...} to its end. */
    static LauncherRun run(String... args) {
        try (LaunchedImage child = start(args)) {
            int exit = child.exit();
            String out = new String(child.process.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8);
            return new LauncherRun(exit, out, child.stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs any command to its end with exactly {@code env} as its environment (as {@code env -i}
     * would give) and {@code stdin} as its standard input, bounded by {@link #TIMEOUT_SECONDS}.
     */
    static LauncherRun exec(List<String> command, Map<String, String> env, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().clear();
        builder.environment().putAll(env);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            CompletableFuture<byte[]> out = readAllAsync(process.getInputStream());
            CompletableFuture<byte[]> err = readAllAsync(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out: " + command);
            }
            return new LauncherRun(process.exitValue(),
                    new String(out.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8),
                    new String(err.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                            StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("running " + command + " failed", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static CompletableFuture<byte[]> readAllAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Runs a {@code bash -c} script (to build pipelines) with {@code $P} naming the launcher. */
    static LauncherRun bash(String script) {
        List<String> command = List.of("env", "--default-signal=INT,TERM",
                "P=" + image().resolve("bin/palimpsest"), "bash", "-c", script);
        try {
            Process process = new ProcessBuilder(command).start();
            process.getOutputStream().close();
            CompletableFuture<byte[]> err = readAllAsync(process.getErrorStream());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            process.getInputStream().transferTo(out);
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + script);
            }
            return new LauncherRun(process.exitValue(), out.toString(StandardCharsets.UTF_8),
                    new String(err.get(TIMEOUT_SECONDS, TimeUnit.SECONDS),
                            StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError("running " + script + " failed", e);
        }
    }

    /** Reads the next line of standard output, failing if none comes within the timeout. */
    String readLine() {
        CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
            try {
                return stdout.readLine();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try {
            return line.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no line on standard output within " + TIMEOUT_SECONDS
                    + " s");
        } catch (Exception e) {
            throw new AssertionError("reading standard output failed", e);
        }
    }

    /** Tells whether the child still runs. */
    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name ({@code TERM}, {@code INT}). */
    void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name,
                    Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new AssertionError("kill -" + name + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits for the exit and returns its status. */
    int exit() {
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("the launcher did not exit within " + TIMEOUT_SECONDS
                        + " s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Standard error, whole, once the child has exited. */
    String stderr() {
        try {
            return stderr.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("reading standard error failed", e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
