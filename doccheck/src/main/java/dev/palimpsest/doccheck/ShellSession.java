package dev.palimpsest.doccheck;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Where the {@code sh} blocks of one Markdown file run, in order, as a reader would type them
 * into one terminal: {@code /bin/sh -c COMMAND} in a scratch folder, with an environment of
 * nothing but {@code PATH} (the launcher image's {@code bin} first), {@code HOME},
 * {@code PALIMPSEST_HOME} and {@code TMPDIR}, all inside that folder, and empty standard input.
 * Each command is bounded in time and killed, with every process it started, when it overruns.
 */
public final class ShellSession {
    private static final int OUTPUT_LIMIT = 4 << 20;

    private final Path folder;
    private final Map<String, String> environment;
    private final Duration timeout;

    /**
     * The output of one command.
     *
     * @param exit the exit code
     * @param out  standard output, decoded as UTF-8
     * @param err  standard error, decoded as UTF-8
     */
    public record Result(int exit, String out, String err) {
    }

    /**
     * A session in {@code folder}.
     *
     * @param launcherBin the image's {@code bin} folder, which holds {@code palimpsest}
     * @param folder      an empty scratch folder
     * @param timeout     how long one command may run
     */
    public ShellSession(Path launcherBin, Path folder, Duration timeout) {
        this.folder = folder;
        this.timeout = timeout;
        try {
            for (String child : new String[] {"home", "root", "tmp"}) {
                Files.createDirectories(folder.resolve(child));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("preparing " + folder + " failed", e);
        }
        this.environment = Map.of(
                "PATH", launcherBin.toAbsolutePath() + ":/usr/bin:/bin",
                "HOME", folder.resolve("home").toAbsolutePath().toString(),
                "PALIMPSEST_HOME", folder.resolve("root").toAbsolutePath().toString(),
                "TMPDIR", folder.resolve("tmp").toAbsolutePath().toString());
    }

    /**
     * The environment every command gets, and nothing else.
     *
     * @return the variables
     */
    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Runs one command line.
     *
     * @param command the command, as the document shows it
     * @return its exit code and output
     * @throws IllegalStateException if it overran the timeout (it is then killed)
     */
    public Result run(String command) {
        ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", command)
                .directory(folder.toFile());
        builder.environment().clear();
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("starting /bin/sh failed", e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(
                    () -> read(process.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(
                    () -> read(process.getErrorStream()));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("still running after " + timeout.toSeconds()
                        + " s, killed: " + command);
            }
            return new Result(process.exitValue(), out.get(10, TimeUnit.SECONDS),
                    err.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new UncheckedIOException("talking to /bin/sh failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running: " + command, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("reading the output of '" + command + "' failed", e);
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static String read(InputStream stream) {
        try (stream) {
            byte[] bytes = stream.readNBytes(OUTPUT_LIMIT);
            // Drain what exceeds the limit, so that a chatty command never blocks on a full pipe.
            stream.transferTo(OutputStream.nullOutputStream());
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a command's output failed", e);
        }
    }
}
