package dev.palimpsest.server;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Child JVM of {@link ServerProcessTest}: serves a file store as {@code palimpsest serve} does,
 * drains on SIGTERM (a shutdown hook), and is killed with SIGKILL by other tests.
 *
 * <p>Argument: the store root. Prints {@code port N} once it listens, and {@code drained}
 * from its shutdown hook once the server, the engine and the store are closed. It halts itself after
 * the lifetime {@code ChildJvms} grants, and {@code ChildJvms} kills it when the test ends.
 */
final class ServerChild {
    private ServerChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        long lifetime = Long.getLong(ChildJvm.ParentLink.LIFETIME_PROPERTY, 60_000);
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(lifetime);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(ChildJvm.ParentLink.EXIT_LIFETIME);
        }, "lifetime");
        halt.setDaemon(true);
        halt.start();
        FileConversationStore store = FileConversationStore.open(Path.of(args[0]));
        ConversationEngine engine = ConversationEngine.builder(store).build();
        PalimpsestServer server = PalimpsestServer.builder(engine).bearerToken(TestServer.TOKEN)
                .limits(ServerLimits.DEFAULT.withThreads(8, 64).withTimeouts(
                        Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(10),
                        Duration.ofSeconds(5)))
                .start();
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            engine.close();
            store.close();
            System.out.println("drained");
            System.out.flush();
            done.countDown();
        }));
        System.out.println("port " + server.address().getPort());
        System.out.flush();
        done.await();
    }
}
