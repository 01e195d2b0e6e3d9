package dev.palimpsest.summarizer.openai;

import dev.palimpsest.engine.CompactionOutcome;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.net.URI;

/**
 * Child JVM of {@link OpenAiSummarizerChildJvmTest}, run with class loading logged: builds an
 * {@link OpenAiSummarizer} and an engine on it, appends rounds that need no compaction, loads
 * {@link Compacting} as a marker in the log, then appends the round that compacts (against the
 * closed port in {@code args[0]}, so the compaction fails), and reports each outcome.
 */
final class LazyClientChildMain {
    private LazyClientChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        OpenAiSummarizer summarizer = OpenAiSummarizer.builder()
                .baseUrl(URI.create(args[0])).model("m").apiKey("sk-child")
                .environment(name -> null).build();
        try (InMemoryConversationStore store = new InMemoryConversationStore();
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(6, 3, 1_000_000)).summarizer(summarizer)
                     .build()) {
            for (int i = 1; i <= 6; i++) {
                parent.report("appended " + engine.appendRound("c", "u" + i, "a" + i)
                        .compaction().outcome().orElseThrow().status());
            }
            Compacting.mark();
            CompactionOutcome outcome = engine.appendRound("c", "u7", "a7").compaction()
                    .outcome().orElseThrow();
            parent.report("compaction " + outcome.status() + " "
                    + outcome.failure().map(Throwable::getMessage).orElse(""));
        }
        System.exit(0);
    }

    /** Loaded only between the appends and the compaction: its line in the log divides them. */
    static final class Compacting {
        private Compacting() {
        }

        static void mark() {
            // Nothing to do: calling it is what loads the class.
        }
    }
}
