package dev.palimpsest.testkit;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One child JVM started by {@link ChildJvms}, seen from the test: its complete stdout lines, its
 * stderr (for failure messages), bounded waits, and a kill that waits until the process is gone
 * and its output is drained.
 *
 * <p>Only complete lines count: a line the child was killed in the middle of writing is kept
 * apart ({@link #unterminatedTail()}), so a test never mistakes half a report for a report. A
 * child reports with {@link ParentLink#report(String)}, which writes each line with one
 * {@code write} call.
 */
public final class ChildJvm {
    private static final int STDERR_LIMIT = 64 * 1024;

    private final String name;
    private final Process process;
    private final List<String> command;
    private final List<String> lines = new ArrayList<>();
    private final ByteArrayOutputStream tail = new ByteArrayOutputStream();
    private final StringBuilder stderr = new StringBuilder();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private boolean stdoutClosed;
    private IOException stdoutFailure;

    public ChildJvm(String name, Process process, List<String> command) {
        this.name = name;
        this.process = process;
        this.command = List.copyOf(command);
        this.stdoutReader = daemon(name + "-stdout", this::readStdout);
        this.stderrReader = daemon(name + "-stderr", this::readStderr);
    }

    /**
     * Returns the process.
     *
     * @return the child's process
     */
    public Process process() {
        return process;
    }

    /**
     * Returns the command the child was started with.
     *
     * @return the command line
     */
    public List<String> command() {
        return command;
    }

    /**
     * Returns every complete line the child wrote to stdout so far.
     *
     * @return a snapshot of the lines
     */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /**
     * Returns what the child wrote after its last newline: a line cut short by a kill.
     *
     * @return the bytes after the last newline, decoded; empty if every line was complete
     */
    public synchronized String unterminatedTail() {
        return tail.toString(StandardCharsets.UTF_8);
    }

    /**
     * Returns what the child wrote to stderr (the last 64 KiB at most).
     *
     * @return the child's stderr so far
     */
    public synchronized String stderr() {
        return stderr.toString();
    }

    /**
     * Writes one line to the child's stdin.
     *
     * @param line the line, without newline
     */
    public void send(String line) {
        try {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        } catch (IOException e) {
            throw new AssertionError(describe("cannot write to the stdin of"), e);
        }
    }

    /**
     * Waits for the first stdout line that matches, fails if the child exits or the time runs
     * out first.
     *
     * @param matches what to wait for
     * @param timeout how long to wait at most
     * @return the first matching line
     */
    public String awaitLine(Predicate<String> matches, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (true) {
                for (String line : lines) {
                    if (matches.test(line)) {
                        return line;
                    }
                }
                if (stdoutClosed) {
                    throw new AssertionError(describe("stdout closed before the awaited line:"));
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(describe("timed out after " + timeout
                            + " waiting for a line from"));
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(describe("interrupted waiting for"), e);
                }
            }
        }
    }

    /**
     * Waits for the child to exit by itself; kills it and fails if it does not within the time.
     *
     * @param timeout how long to wait at most
     * @return the exit code
     */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(timeout);
                throw new AssertionError(describe("killed after " + timeout
                        + " because it did not exit:"));
            }
            drain(timeout);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(describe("interrupted waiting for"), e);
        }
    }

    /**
     * Kills the child with SIGKILL (what {@link ProcessHandle#destroyForcibly()} sends on Linux),
     * waits until it is gone, and reads its output to the end, so {@link #lines()} then holds
     * every line it completed before it died.
     *
     * <p>The signal goes through the {@link ProcessHandle}, not {@link Process#destroyForcibly()}:
     * the latter also closes the pipes, and the lines still in the stdout pipe would be lost.
     *
     * @param timeout how long to wait for the process to go away
     */
    public void kill(Duration timeout) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(describe("still alive " + timeout + " after SIGKILL:"));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(describe("interrupted killing"), e);
        }
        drain(timeout);
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The child is gone; its stdin pipe has no reader whose data could be lost.
        }
    }

    private void drain(Duration timeout) {
        try {
            stdoutReader.join(timeout.toMillis());
            stderrReader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(describe("interrupted draining"), e);
        }
        if (stdoutReader.isAlive()) {
            // A grandchild that inherited the pipe could keep it open; the test must not hang.
            throw new AssertionError(describe("stdout still open " + timeout + " after exit:"));
        }
        synchronized (this) {
            if (stdoutFailure != null) {
                // Lines may be missing: a test must not draw conclusions from a partial record.
                throw new AssertionError(describe("reading the stdout failed of"), stdoutFailure);
            }
        }
    }

    /**
     * Describes the child for a failure message: pid, exit status, command, its last lines, a
     * cut-off line if any, and its stderr.
     *
     * @return the description
     */
    public String describe() {
        return describe("");
    }

    private String describe(String what) {
        String exit = process.isAlive() ? "running" : "exit " + process.exitValue();
        String cut = unterminatedTail();
        return what + " child JVM " + name + " (pid " + process.pid() + ", " + exit + ")"
                + "\n  command: " + String.join(" ", command)
                + "\n  stdout lines: " + lines().size() + lastLines()
                + (cut.isEmpty() ? "" : "\n  cut-off line: " + cut)
                + "\n  stderr:\n" + stderr();
    }

    private synchronized String lastLines() {
        int from = Math.max(0, lines.size() - 5);
        return lines.isEmpty() ? "" : ", last: " + lines.subList(from, lines.size());
    }

    private void readStdout() {
        byte[] buffer = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (this) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\n') {
                            lines.add(tail.toString(StandardCharsets.UTF_8));
                            tail.reset();
                        } else {
                            tail.write(buffer[i]);
                        }
                    }
                    notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                stdoutFailure = e;
            }
        } finally {
            synchronized (this) {
                stdoutClosed = true;
                notifyAll();
            }
        }
    }

    private void readStderr() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            char[] buffer = new char[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                synchronized (this) {
                    stderr.append(buffer, 0, n);
                    if (stderr.length() > STDERR_LIMIT) {
                        stderr.delete(0, stderr.length() - STDERR_LIMIT);
                    }
                }
            }
        } catch (IOException e) {
            synchronized (this) {
                stderr.append("[test] reading stderr failed: ").append(e).append('\n');
            }
        }
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * The child's side: reports lines to the test, receives lines from it, and halts the child
     * when the test JVM goes away (its stdin reaches end of file) or when the lifetime that
     * {@link ChildJvms} granted runs out, so that no child outlives a crashed or hung test.
     */
    public static final class ParentLink {
        public static final String LIFETIME_PROPERTY = "palimpsest.child.lifetimeMillis";
        /** Exit code of a child that halted because the test JVM went away. */
        public static final int EXIT_PARENT_GONE = 97;
        /** Exit code of a child that halted because its lifetime ran out. */
        public static final int EXIT_LIFETIME = 98;

        private final BlockingQueue<String> fromParent = new LinkedBlockingQueue<>();
        private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);

        private ParentLink() {
        }

        /**
         * Starts watching the parent; call it first in a child's {@code main}.
         *
         * @return the link
         */
        public static ParentLink open() {
            ParentLink link = new ParentLink();
            long lifetime = Long.getLong(LIFETIME_PROPERTY, 60_000);
            daemon("parent-stdin", link::readParent);
            daemon("lifetime", () -> {
                try {
                    Thread.sleep(lifetime);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                System.err.println("child JVM halts: its lifetime of " + lifetime + " ms ran out");
                Runtime.getRuntime().halt(EXIT_LIFETIME);
            });
            return link;
        }

        /**
         * Writes one line to stdout with a single {@code write} call (atomic on a pipe for lines
         * under 4 KiB), so a kill leaves either the whole line or an unterminated fragment.
         *
         * @param line the line, without newline
         */
        public synchronized void report(String line) {
            try {
                out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The test JVM went away; nobody is listening any more.
                throw new UncheckedIOException("cannot report to the test JVM", e);
            }
        }

        /**
         * Waits for the next line from the test.
         *
         * @param timeout how long to wait at most
         * @return the line, or empty if none came in time
         */
        public Optional<String> nextLine(Duration timeout) {
            try {
                return Optional.ofNullable(fromParent.poll(timeout.toMillis(),
                        TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }

        private void readParent() {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    fromParent.add(line);
                }
            } catch (IOException e) {
                System.err.println("child JVM: reading stdin failed: " + e);
            }
            Runtime.getRuntime().halt(EXIT_PARENT_GONE);
        }
    }
}
