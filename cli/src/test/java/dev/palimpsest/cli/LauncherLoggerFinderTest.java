package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Log records reach standard error only with {@code --debug}, and the JDK's debug chatter never. */
class LauncherLoggerFinderTest {
    private final LauncherLoggerFinder finder = new LauncherLoggerFinder();

    @AfterEach
    void quiet() {
        LauncherLoggerFinder.enableDebug(false);
    }

    @Test
    void withoutDebugNothingIsLoggable() {
        System.Logger engine = finder.getLogger("dev.palimpsest.engine.ConversationEngine",
                getClass().getModule());
        assertFalse(engine.isLoggable(System.Logger.Level.ERROR));
        assertFalse(engine.isLoggable(System.Logger.Level.WARNING));
    }

    @Test
    void withDebugOurRecordsShowAndTheJdksDebugRecordsDoNot() {
        LauncherLoggerFinder.enableDebug(true);
        System.Logger engine = finder.getLogger("dev.palimpsest.engine.ConversationEngine",
                getClass().getModule());
        System.Logger http = finder.getLogger("jdk.internal.httpclient.debug",
                Object.class.getModule());
        assertTrue(engine.isLoggable(System.Logger.Level.DEBUG));
        assertFalse(engine.isLoggable(System.Logger.Level.TRACE));
        assertFalse(http.isLoggable(System.Logger.Level.DEBUG));
        assertTrue(http.isLoggable(System.Logger.Level.WARNING));
    }
}
