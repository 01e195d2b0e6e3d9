package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The child-JVM harness that the crash and multi-process tests stand on. */
class ChildJvmsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void childRunsInTheModuleUnderTestOnTheSameModulePath() {
        try (ChildJvms children = new ChildJvms(1, Duration.ofSeconds(60))) {
            ChildJvm child = children.start(EchoChildMain.class, "a b", "ü");
            String module = ConversationStore.class.getModule().getName();
            assertEquals("module " + module, child.awaitLine(l -> l.startsWith("module "), WAIT));
            assertEquals("module-path " + System.getProperty("jdk.module.path"),
                    child.awaitLine(l -> l.startsWith("module-path "), WAIT));
            assertEquals("store-api-module " + module,
                    child.awaitLine(l -> l.startsWith("store-api-module "), WAIT));
            assertEquals("args a b ü", child.awaitLine(l -> l.startsWith("args "), WAIT));
            child.send("hello");
            assertEquals("echo hello", child.awaitLine(l -> l.startsWith("echo "), WAIT));
            child.send("exit 7");
            assertEquals(7, child.awaitExit(WAIT));
        }
    }

    @Test
    void closeKillsEveryChildStillRunningAndTheCountIsBounded() {
        List<ChildJvm> started = new ArrayList<>();
        ChildJvms children = new ChildJvms(3, Duration.ofSeconds(60));
        try (children) {
            for (int i = 0; i < 3; i++) {
                started.add(children.start(EchoChildMain.class));
            }
            for (ChildJvm child : started) {
                child.awaitLine(l -> l.startsWith("module "), WAIT);
            }
            assertThrows(IllegalStateException.class, () -> children.start(EchoChildMain.class));
            assertEquals(3, children.started());
            assertEquals(3, children.alive());
        }
        for (ChildJvm child : started) {
            assertFalse(child.process().isAlive(), "child " + child.process().pid());
        }
        assertEquals(0, children.alive());
    }

    @Test
    void childHaltsWhenItsLifetimeRunsOut() {
        try (ChildJvms children = new ChildJvms(1, Duration.ofMillis(1500))) {
            ChildJvm child = children.start(EchoChildMain.class);
            assertEquals(ChildJvm.ParentLink.EXIT_LIFETIME, child.awaitExit(WAIT));
            assertTrue(child.stderr().contains("lifetime"), child.stderr());
        }
    }

    @Test
    void childHaltsWhenTheTestJvmGoesAway() throws IOException {
        try (ChildJvms children = new ChildJvms(1, Duration.ofSeconds(60))) {
            ChildJvm child = children.start(EchoChildMain.class);
            child.awaitLine(l -> l.startsWith("module "), WAIT);
            // What the child sees when the test JVM dies: its stdin reaches end of file.
            child.process().getOutputStream().close();
            assertEquals(ChildJvm.ParentLink.EXIT_PARENT_GONE, child.awaitExit(WAIT));
        }
    }

    @Test
    void killedChildKeepsOnlyItsCompleteLines() throws InterruptedException {
        try (ChildJvms children = new ChildJvms(1, Duration.ofSeconds(60))) {
            ChildJvm child = children.start(EchoChildMain.class);
            child.send("partial cut sho");
            child.send("done");
            assertEquals("cut shoecho done",
                    child.awaitLine(l -> l.startsWith("cut sho"), WAIT));
            child.send("partial cut short");
            child.send("partial  again");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!child.unterminatedTail().equals("cut short again")
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            child.kill(WAIT);
            assertFalse(child.process().isAlive());
            assertEquals(128 + 9, child.process().exitValue(), "killed by SIGKILL (signal 9)");
            assertEquals("cut short again", child.unterminatedTail(), child.lines().toString());
            assertEquals(5, child.lines().size(), child.lines().toString());
        }
    }
}
