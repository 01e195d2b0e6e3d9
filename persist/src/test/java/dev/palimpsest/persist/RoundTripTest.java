package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {
    @TempDir
    Path root;

    @Test
    void generatedConversationsSaveAndLoadEqual() {
        Seeds.run("save/load round trip", random -> {
            ModelGenerator gen = new ModelGenerator(random);
            Map<String, Conversation> expected = new HashMap<>();
            try (ConversationStore store = ConversationStore.open(root.resolve("r"
                    + random.nextInt(1 << 30)))) {
                for (int i = 0; i < 150; i++) {
                    String id = gen.id();
                    Conversation current = store.load(id);
                    Conversation next = gen.conversation(id).withRevision(current.revision());
                    Conversation saved = store.save(next);
                    assertEquals(next.withRevision(current.revision() + 1), saved, "case " + i);
                    assertEquals(saved, store.load(id), "load of case " + i);
                    expected.put(id, saved);
                }
                // A fresh store reads the same from disk.
                try (ConversationStore reopened = ConversationStore.open(store.root())) {
                    for (Map.Entry<String, Conversation> e : expected.entrySet()) {
                        assertEquals(e.getValue(), reopened.load(e.getKey()));
                    }
                    List<String> listed = reopened.list().stream()
                            .map(ConversationSummary::convId).toList();
                    assertEquals(expected.keySet().stream().sorted().toList(), listed);
                }
            }
        });
    }

    @Test
    void generatedRoundsArchiveAndReadBackEqual() {
        Seeds.run("archive round trip", random -> {
            ModelGenerator gen = new ModelGenerator(random);
            try (ConversationStore store = ConversationStore.open(root.resolve("a"
                    + random.nextInt(1 << 30)))) {
                List<Round> all = new ArrayList<>();
                for (int batch = 0; batch < 20; batch++) {
                    List<Round> rounds = new ArrayList<>();
                    for (int i = random.nextInt(4); i > 0; i--) {
                        rounds.add(gen.round(all.size() + rounds.size() + 1));
                    }
                    store.appendArchive("arch", rounds);
                    all.addAll(rounds);
                }
                try (Stream<Round> archived = store.archive("arch")) {
                    assertEquals(all, archived.toList());
                }
            }
        });
    }
}
