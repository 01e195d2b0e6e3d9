package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes on one root: appenders killed with SIGKILL at random moments (during an append, a
 * checkpoint or a segment rotation, with the log ahead of the checkpoint) never lose, duplicate
 * or renumber an acknowledged message, and concurrent appender processes number without gaps.
 */
class FileStoreProcessTest {
    @TempDir
    Path root;

    @Test
    void killedAppendersNeverLoseAnAcknowledgedMessage() {
        int cycles = 5;
        Seeds.run("store-file kill -9", random -> {
            List<Integer> acknowledged = new ArrayList<>();
            try (ChildJvms jvms = new ChildJvms(cycles, Duration.ofSeconds(90))) {
                for (int cycle = 0; cycle < cycles; cycle++) {
                    ChildJvm child = jvms.start(AppendingChild.class, root.toString(), "k",
                            "c" + cycle, "100000");
                    int killAfter = 5 + random.nextInt(60);
                    child.awaitLine(line -> line.startsWith("appended ")
                            && child.lines().size() >= killAfter, Duration.ofSeconds(80));
                    child.kill(Duration.ofSeconds(20));
                    acknowledged.add((int) child.lines().stream()
                            .filter(line -> line.startsWith("appended ")).count());
                }
            }
            try (FileConversationStore store = FileConversationStore.open(root,
                    AppendingChild.OPTIONS)) {
                List<StoredMessage> all = store.messages("k", 1, 1_000_000);
                int index = 0;
                for (int cycle = 0; cycle < cycles; cycle++) {
                    int i = 0;
                    while (index < all.size() && all.get(index).message().content()
                            .startsWith("c" + cycle + "-")) {
                        assertEquals("c" + cycle + "-" + i, all.get(index).message().content());
                        assertEquals(index + 1, all.get(index).seq());
                        assertEquals(index / 2 + 1, all.get(index).roundSeq());
                        i++;
                        index += 2;
                    }
                    int acked = acknowledged.get(cycle);
                    assertTrue(i >= acked && i <= acked + 1, "cycle " + cycle + ": " + i
                            + " rounds stored, " + acked + " acknowledged");
                }
                assertEquals(all.size(), index, "nothing but the appended rounds");
                ConversationState state = store.load("k").orElseThrow();
                assertEquals(all.size(), state.counters().messagesTotal());
                assertTrue(state.counters().compactions() > 0, state.counters().toString());
                System.out.println("store-file kill -9: " + cycles + " kills, "
                        + all.size() / 2 + " rounds, acknowledged " + acknowledged);
            }
        });
    }

    @Test
    void concurrentAppenderProcessesNumberWithoutGaps() {
        int processes = 3;
        int each = 40;
        try (ChildJvms jvms = new ChildJvms(processes, Duration.ofSeconds(120))) {
            List<ChildJvm> children = new ArrayList<>();
            for (int p = 0; p < processes; p++) {
                children.add(jvms.start(AppendingChild.class, root.toString(), "shared",
                        "p" + p, String.valueOf(each)));
            }
            for (ChildJvm child : children) {
                child.awaitLine("done"::equals, Duration.ofSeconds(110));
                assertEquals(0, child.awaitExit(Duration.ofSeconds(10)), child.describe());
            }
        }
        try (FileConversationStore store = FileConversationStore.open(root)) {
            List<StoredMessage> all = store.messages("shared", 1, 10_000);
            assertEquals(processes * each * 2, all.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(i + 1, all.get(i).seq());
            }
            for (int p = 0; p < processes; p++) {
                String prefix = "p" + p + "-";
                List<String> mine = all.stream().map(m -> m.message().content())
                        .filter(c -> c.startsWith(prefix)).toList();
                assertEquals(each, mine.size());
                for (int i = 0; i < each; i++) {
                    assertEquals(prefix + i, mine.get(i), "each process's rounds in its order");
                }
            }
        }
    }
}
