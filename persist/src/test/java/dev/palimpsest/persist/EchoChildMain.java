package dev.palimpsest.persist;

import dev.palimpsest.testkit.ChildJvm;
import java.time.Duration;
import java.util.Optional;

/**
 * Child JVM of {@link ChildJvmsTest}: reports where it runs (its module, module path and
 * whether it sees the store API), then echoes each line from the test until told
 * {@code exit <code>}; {@code partial <text>} writes the text without a newline.
 */
final class EchoChildMain {
    private EchoChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        parent.report("module " + EchoChildMain.class.getModule().getName());
        parent.report("module-path " + System.getProperty("jdk.module.path"));
        parent.report("store-api-module " + ConversationStore.class.getModule().getName());
        parent.report("args " + String.join(" ", args));
        while (true) {
            Optional<String> line = parent.nextLine(Duration.ofSeconds(1));
            if (line.isPresent()) {
                if (line.get().startsWith("exit ")) {
                    System.exit(Integer.parseInt(line.get().substring(5)));
                }
                if (line.get().startsWith("partial ")) {
                    // What a kill in the middle of a report leaves: text without its newline.
                    System.out.print(line.get().substring(8));
                    System.out.flush();
                    continue;
                }
                parent.report("echo " + line.get());
            }
        }
    }
}
