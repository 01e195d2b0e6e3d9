package dev.palimpsest.engine.summarizer;

import dev.palimpsest.core.Round;
import dev.palimpsest.engine.SummarizerException;
import dev.palimpsest.engine.SummaryRequest;
import dev.palimpsest.testkit.ChildJvm;
import java.net.URI;
import java.time.Instant;
import java.util.List;

/**
 * Child JVM of {@link OpenAiSummarizerChildJvmTest}, run with {@code jdk.net.hosts.file} naming
 * a hosts file without the host in {@code args[0]}: the name cannot resolve, and no name server
 * is ever asked. Summarizes once and reports the failure's message.
 */
final class UnresolvableHostChildMain {
    private UnresolvableHostChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        OpenAiSummarizer summarizer = OpenAiSummarizer.builder().baseUrl(URI.create(args[0]))
                .model("m").environment(name -> null).build();
        try {
            summarizer.summarize(new SummaryRequest("c", "",
                    List.of(new Round(1, "u", "a", Instant.EPOCH))));
            parent.report("unexpected success");
        } catch (SummarizerException e) {
            parent.report("failed " + e.getMessage());
        }
        System.exit(0);
    }
}
