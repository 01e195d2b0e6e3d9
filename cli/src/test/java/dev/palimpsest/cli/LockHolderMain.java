package dev.palimpsest.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A child JVM that holds the lock a writer holds on a conversation's lock file, as another
 * process appending would: prints {@code locked}, then waits for a line on standard input (or
 * its end) and exits. Uses the JDK only, so it runs from the test classes on the class path.
 */
public final class LockHolderMain {
    private LockHolderMain() {
    }

    /**
     * Holds the lock.
     *
     * @param args the lock file
     * @throws Exception if the lock cannot be taken
     */
    @SuppressWarnings("try") // the held lock is a resource the block never names
    public static void main(String[] args) throws Exception {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = channel.lock()) {
            System.out.println("locked");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    .readLine();
        }
    }

    /** Starts a holder of {@code lockFile} and returns once it holds the lock. */
    static Process hold(Path lockFile) throws Exception {
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        String classes = Path.of(LockHolderMain.class.getProtectionDomain().getCodeSource()
                .getLocation().toURI()).toString();
        Process holder = new ProcessBuilder(java, "-cp", classes, LockHolderMain.class.getName(),
                lockFile.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String line = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8)).readLine();
        if (!"locked".equals(line)) {
            holder.destroyForcibly();
            throw new IllegalStateException("the lock holder said " + line);
        }
        return holder;
    }

    /** Lets the holder go and waits (bounded) for it to exit. */
    static void release(Process holder) throws Exception {
        try {
            holder.getOutputStream().write('\n');
            holder.getOutputStream().close();
            if (!holder.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new IllegalStateException("the lock holder did not exit");
            }
        } finally {
            holder.destroyForcibly();
        }
    }
}
