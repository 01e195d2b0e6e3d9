package dev.palimpsest.summarizer.openai;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.testkit.ChildJvm;
import java.net.URI;

/**
 * Child JVM of {@link OpenAiSummarizerChildJvmTest}, run with {@code jdk.net.hosts.file} naming
 * a hosts file without the host in {@code args[0]}: the name cannot resolve, and no name server
 * is ever asked. Summarizes once and reports the failure's kind and message.
 */
final class UnresolvableHostChildMain {
    private UnresolvableHostChildMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        OpenAiSummarizer summarizer = OpenAiSummarizer.builder().baseUrl(URI.create(args[0]))
                .model("m").environment(name -> null).build();
        try {
            summarizer.summarize(Rounds.oneExchange("c", "u", "a"));
            parent.report("unexpected success");
        } catch (PalimpsestException e) {
            parent.report("failed " + e.kind() + " " + e.getMessage());
        }
        System.exit(0);
    }
}
