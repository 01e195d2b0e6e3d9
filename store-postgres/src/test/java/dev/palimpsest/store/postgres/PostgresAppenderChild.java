package dev.palimpsest.store.postgres;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child JVM of {@link PostgresMultiProcessTest}, as one host of a fleet: several threads each
 * append rounds (a user message with an id naming writer, thread and ordinal, and an answer) to
 * one conversation of the shared database.
 *
 * <p>Arguments: JDBC URL, user, schema, conversation id, writer name, threads, rounds per
 * thread; the password is the first line the parent sends. Reports {@code ready}, waits for
 * {@code go}, then reports {@code acked <n>} and exits 0.
 */
final class PostgresAppenderChild {
    private PostgresAppenderChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Properties login = new Properties();
        login.setProperty("user", args[1]);
        login.setProperty("password", parent.nextLine(Duration.ofSeconds(60)).orElseThrow());
        String convId = args[3];
        String writer = args[4];
        int threads = Integer.parseInt(args[5]);
        int each = Integer.parseInt(args[6]);
        try (PostgresConversationStore store = PostgresConversationStore.open(args[0], login,
                PostgresStoreOptions.DEFAULTS.withSchema(args[2]).withPoolSize(threads))) {
            parent.report("ready");
            if (!parent.nextLine(Duration.ofSeconds(60)).orElse("").equals("go")) {
                parent.report("no go");
                System.exit(2);
            }
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread worker = new Thread(() -> {
                    try {
                        for (int n = 0; n < each; n++) {
                            String tag = writer + "/" + thread + "/" + n;
                            store.append(AppendRequest.of(convId, Expectation.none(),
                                    Instant.now(), Message.user("question " + tag).withId(tag),
                                    Message.assistant("answer " + tag)));
                        }
                    } catch (RuntimeException | Error e) {
                        failure.compareAndSet(null, e);
                    }
                }, writer + "-" + t);
                workers.add(worker);
                worker.start();
            }
            for (Thread worker : workers) {
                worker.join();
            }
            if (failure.get() != null) {
                failure.get().printStackTrace();
                System.exit(1);
            }
            parent.report("acked " + threads * each);
        }
    }
}
