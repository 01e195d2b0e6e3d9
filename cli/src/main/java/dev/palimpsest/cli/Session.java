package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * What one run of the launcher shares between its parts: the streams and environment, the
 * options every command takes ({@code --root}, {@code --debug}), and the services the commands
 * call (the data root, its configuration, the store and the engine).
 */
final class Session {
    /** The environment variable naming the default data root. */
    static final String HOME_VARIABLE = "PALIMPSEST_HOME";

    private final Terminal terminal;
    private final String root;
    private final boolean debug;

    /**
     * Creates the session.
     *
     * @param terminal the streams and environment
     * @param root     {@code --root}, or {@code null} when it was not given
     * @param debug    whether {@code --debug} was given
     */
    Session(Terminal terminal, String root, boolean debug) {
        this.terminal = terminal;
        this.root = root;
        this.debug = debug;
    }

    /** Returns the streams and environment of this run. */
    Terminal terminal() {
        return terminal;
    }

    /** Tells whether {@code --debug} was given. */
    boolean debug() {
        return debug;
    }

    /** Tells whether {@code --root} was given. */
    boolean rootGiven() {
        return root != null;
    }

    /**
     * Resolves the data root: {@code --root}, else {@code $PALIMPSEST_HOME} (an empty variable
     * counts as unset, as shells treat it), else {@code ~/.palimpsest}.
     *
     * @throws CliException (exit 2) for an empty {@code --root}: it names no directory, and
     *                      falling back to the default root would act on data the user did not
     *                      name
     */
    Path dataRoot() {
        String chosen = root;
        String what = "--root";
        if (chosen != null && chosen.isEmpty()) {
            throw CliException.usage("--root is empty: give the data root's path (or leave "
                    + "--root out for $" + HOME_VARIABLE + ", else ~/.palimpsest)");
        }
        if (chosen == null) {
            chosen = terminal.env().get(HOME_VARIABLE);
            what = "$" + HOME_VARIABLE;
        }
        if (chosen == null || chosen.isEmpty()) {
            return Path.of(System.getProperty("user.home"), ".palimpsest");
        }
        try {
            return Path.of(chosen);
        } catch (InvalidPathException e) {
            throw CliException.usage(what + " is not a usable path: " + e.getMessage(), e);
        }
    }

    /** Reads {@code <root>/config.json}. */
    LauncherConfig config() {
        return LauncherConfig.read(dataRoot());
    }

    /**
     * Opens the file store on the data root for a command that reads: a root that does not
     * exist holds no conversation, and reading must not create it.
     *
     * @param convId the conversation the command reads, for the "not stored" error
     * @throws CliException (exit 3) if the data root does not exist
     */
    FileConversationStore openStoreToRead(String convId) {
        Path dataRoot = dataRoot();
        if (!Files.exists(dataRoot)) {
            throw CliException.noSuchConversation(convId);
        }
        return FileConversationStore.open(dataRoot, config().storeOptions());
    }

    /**
     * Opens the file store on the data root for a command that writes, creating the root (and
     * its parents) on first use.
     */
    FileConversationStore openStoreToWrite() {
        Path dataRoot = dataRoot();
        try {
            Files.createDirectories(dataRoot);
        } catch (IOException e) {
            throw new PalimpsestException(FailureKind.IO, null, "cannot create the data root "
                    + dataRoot + ": " + IoMessages.describe(e), e);
        }
        return FileConversationStore.open(dataRoot, config().storeOptions());
    }

    /** Builds an engine over {@code store} that compacts in the calling thread. */
    static ConversationEngine engine(FileConversationStore store, CompactionPolicy policy,
                                     Summarizer summarizer) {
        return ConversationEngine.builder(store).policy(policy).summarizer(summarizer).build();
    }
}
