package dev.palimpsest.store.file;

import dev.palimpsest.testkit.ChildJvm;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

/**
 * Child JVM of {@link LockInterruptTest}: takes a conversation's file lock as a writer in
 * another process does (the whole lock file, {@code fcntl}), reports {@code holding}, and
 * releases it when the test says {@code release}, reporting {@code released}.
 *
 * <p>Arguments: the lock file.
 */
final class LockFileHolderChild {
    private LockFileHolderChild() {
    }

    public static void main(String[] args) throws Exception {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            FileLock lock = channel.lock();
            parent.report("holding");
            String said = parent.nextLine(Duration.ofSeconds(60)).orElse("");
            lock.release();
            if (!said.equals("release")) {
                throw new IllegalStateException("the test never said release: " + said);
            }
        }
        parent.report("released");
        System.exit(0);
    }
}
