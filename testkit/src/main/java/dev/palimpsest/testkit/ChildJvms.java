package dev.palimpsest.testkit;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Starts child JVMs that run a main class of the test sources with the same module path, class
 * path and module patch as this test JVM, and bounds them: at most {@code maxChildren} are ever
 * started, each halts itself after {@code maxLifetime} (see {@link ChildJvm.ParentLink}), and
 * {@link #close()} kills every child still alive. Use it in try-with-resources so that no child
 * outlives its test.
 *
 * <p>The launch mirrors what Surefire does for the test JVM instead of hard-coding paths: the
 * module path is this JVM's {@code jdk.module.path}; the test classes, which Surefire patches
 * into the module under test with {@code --patch-module}, are found where the main class was
 * loaded from; the class path (test dependencies) is this JVM's {@code java.class.path}; and the
 * patched module reads the class path, as in the test JVM. On the class path (no module) the
 * child simply gets the same class path.
 *
 * <p>Shared by the tests of every module through the {@code testkit} module.
 */
public final class ChildJvms implements AutoCloseable {
    /** Options that make a short-lived child start fast and stay small on a busy 2-core box. */
    private static final List<String> JVM_OPTIONS = List.of(
            "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k",
            "-Xmx128m");
    private static final Duration REAP_TIMEOUT = Duration.ofSeconds(10);

    private final int maxChildren;
    private final Duration maxLifetime;
    private final List<ChildJvm> children = new ArrayList<>();
    private final Thread killOnExit;
    private boolean closed;

    /**
     * Creates an empty group.
     *
     * @param maxChildren how many children this group may start in all
     * @param maxLifetime how long each child may live before it halts itself
     */
    public ChildJvms(int maxChildren, Duration maxLifetime) {
        if (maxChildren < 1) {
            throw new IllegalArgumentException("maxChildren must be >= 1, was " + maxChildren);
        }
        if (maxLifetime.isNegative() || maxLifetime.isZero()) {
            throw new IllegalArgumentException("maxLifetime must be positive, was " + maxLifetime);
        }
        this.maxChildren = maxChildren;
        this.maxLifetime = maxLifetime;
        // If the test JVM is shut down (Surefire's fork timeout, Ctrl-C), children die with it.
        this.killOnExit = new Thread(this::killAll, "kill-child-jvms");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    /**
     * Starts {@code mainClass} in a child JVM.
     *
     * @param mainClass a class of the test sources with a {@code main} method
     * @param args      its arguments
     * @return the running child
     */
    public synchronized ChildJvm start(Class<?> mainClass, String... args) {
        return launch(javaCommand(mainClass, maxLifetime, Arrays.asList(args)), mainClass);
    }

    /**
     * Starts {@code mainClass} in a child JVM through {@code sh -c '<shellPrefix>; exec java
     * ...'}, for example to run it under another {@code umask}. The shell execs the JVM, so the
     * child's process is the JVM itself.
     *
     * @param shellPrefix shell commands run before the JVM, trusted test input
     * @param mainClass   a class of the test sources with a {@code main} method
     * @param args        its arguments
     * @return the running child
     */
    public synchronized ChildJvm startThroughShell(String shellPrefix, Class<?> mainClass,
                                            String... args) {
        List<String> java = javaCommand(mainClass, maxLifetime, Arrays.asList(args));
        List<String> command = new ArrayList<>();
        command.add("/bin/sh");
        command.add("-c");
        // The JVM command travels as positional parameters, so no path needs shell quoting.
        command.add(shellPrefix + "; exec \"$0\" \"$@\"");
        command.addAll(java);
        return launch(command, mainClass);
    }

    /**
     * Returns how many children this group has started.
     *
     * @return the count, at most {@code maxChildren}
     */
    public synchronized int started() {
        return children.size();
    }

    /**
     * Returns how many children of this group are still running.
     *
     * @return the count
     */
    public synchronized int alive() {
        return (int) children.stream().filter(c -> c.process().isAlive()).count();
    }

    /**
     * Builds the command that runs {@code mainClass} in a JVM that sees what this one sees.
     *
     * @param mainClass   the main class, from the test sources
     * @param maxLifetime after how long the child halts itself
     * @param args        the main class's arguments
     * @return the command line
     */
    public static List<String> javaCommand(Class<?> mainClass, Duration maxLifetime, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(JVM_OPTIONS);
        command.add("-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"));
        command.add("-D" + ChildJvm.ParentLink.LIFETIME_PROPERTY + "=" + maxLifetime.toMillis());
        String classPath = withoutEmptyEntries(System.getProperty("java.class.path", ""));
        Module module = mainClass.getModule();
        if (module.isNamed()) {
            String modulePath = System.getProperty("jdk.module.path");
            if (modulePath == null || modulePath.isEmpty()) {
                throw new IllegalStateException("module " + module.getName()
                        + " is named but this JVM has no jdk.module.path");
            }
            command.add("--module-path");
            command.add(modulePath);
            Path classes = codeLocation(mainClass);
            if (!onPath(classes, modulePath)) {
                // The main class was patched into the module, as Surefire does with test classes.
                command.add("--patch-module");
                command.add(module.getName() + "=" + classes);
            }
            if (!classPath.isEmpty()) {
                command.add("--class-path");
                command.add(classPath);
                command.add("--add-reads");
                command.add(module.getName() + "=ALL-UNNAMED");
            }
            command.add("--add-modules");
            command.add("ALL-MODULE-PATH");
            command.add("--module");
            command.add(module.getName() + "/" + mainClass.getName());
        } else {
            command.add("--class-path");
            command.add(classPath);
            command.add(mainClass.getName());
        }
        command.addAll(args);
        return List.copyOf(command);
    }

    /** Kills every child still alive and waits until each is gone. */
    @Override
    public void close() {
        List<ChildJvm> survivors;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            survivors = List.copyOf(children);
        }
        AssertionError failure = null;
        for (ChildJvm child : survivors) {
            try {
                child.kill(REAP_TIMEOUT);
            } catch (AssertionError e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to run; it kills the same children again, harmlessly.
        }
        if (failure != null) {
            throw failure;
        }
    }

    private ChildJvm launch(List<String> command, Class<?> mainClass) {
        if (closed) {
            throw new IllegalStateException("this group of child JVMs is closed");
        }
        if (children.size() >= maxChildren) {
            throw new IllegalStateException("refusing to start more than " + maxChildren
                    + " child JVMs in one group");
        }
        ProcessBuilder builder = new ProcessBuilder(command);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start a child JVM: " + command, e);
        }
        ChildJvm child = new ChildJvm(mainClass.getSimpleName() + "#" + (children.size() + 1),
                process, command);
        children.add(child);
        return child;
    }

    private synchronized void killAll() {
        for (ChildJvm child : children) {
            child.process().descendants().forEach(ProcessHandle::destroyForcibly);
            child.process().toHandle().destroyForcibly();
        }
    }

    private static Path codeLocation(Class<?> type) {
        var source = Objects.requireNonNull(type.getProtectionDomain().getCodeSource(),
                () -> "no code source for " + type);
        try {
            return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("code source of " + type + " is not a path: "
                    + source.getLocation(), e);
        }
    }

    private static boolean onPath(Path location, String searchPath) {
        for (String entry : searchPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path candidate = Path.of(entry).toAbsolutePath().normalize();
                if (candidate.equals(location) || isSameFile(candidate, location)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isSameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** Drops empty entries, which the JVM would read as the working directory. */
    private static String withoutEmptyEntries(String searchPath) {
        List<String> entries = new ArrayList<>();
        for (String entry : searchPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
