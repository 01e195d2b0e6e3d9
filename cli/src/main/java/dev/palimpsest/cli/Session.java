package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * What one run of the launcher shares between its parts: the streams and environment, the
 * options every command takes ({@code --root}, {@code --store}, {@code --debug}), and the
 * services the commands call (the data root, its configuration, the store and the engine).
 */
final class Session {
    /** The environment variable naming the default data root. */
    static final String HOME_VARIABLE = "PALIMPSEST_HOME";
    /** The environment variable holding a PostgreSQL store's password. */
    static final String STORE_PASSWORD_VARIABLE = "PALIMPSEST_STORE_PASSWORD";
    /** The most a password file may hold. */
    private static final long MAX_PASSWORD_FILE_BYTES = 64 * 1024;

    private final Terminal terminal;
    private final String root;
    private final String store;
    private final boolean debug;

    /**
     * Creates the session.
     *
     * @param terminal the streams and environment
     * @param root     {@code --root}, or {@code null} when it was not given
     * @param store    {@code --store}, or {@code null} when it was not given
     * @param debug    whether {@code --debug} was given
     */
    Session(Terminal terminal, String root, String store, boolean debug) {
        this.terminal = terminal;
        this.root = root;
        this.store = store;
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
     * {@return where the conversations live}: {@code --store}, else {@code store} of
     * {@code config.json}, else the files of the data root
     */
    StoreLocation storeLocation() {
        if (store != null) {
            return StoreLocation.parse(store, Specs.STORE);
        }
        return config().store().orElse(new StoreLocation.Files());
    }

    /**
     * {@return the PostgreSQL password}: {@code $PALIMPSEST_STORE_PASSWORD}, else the first line
     * of {@code store_password_file}, else none (the driver may find one in {@code .pgpass})
     */
    Optional<String> storePassword() {
        String fromEnv = terminal.env().get(STORE_PASSWORD_VARIABLE);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Optional.of(fromEnv);
        }
        Optional<Path> file = config().storePasswordFile();
        if (file.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(secretFile(file.get(), "store_password_file"));
    }

    /**
     * {@return the first line of a file that holds a secret} (a password, a token), without its
     * line end
     *
     * @param f    the file
     * @param what what names it, for messages ("store_password_file", "--token-file")
     */
    static String secretFile(Path f, String what) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(f, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw CliException.usage(what + " " + f + " is not a regular file");
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(f)) {
                bytes = InputText.readBounded(in, MAX_PASSWORD_FILE_BYTES, f.toString(),
                        "the most a password file may hold");
            }
            String text = new String(bytes, StandardCharsets.UTF_8);
            int nl = text.indexOf('\n');
            String line = nl < 0 ? text : text.substring(0, nl);
            return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        } catch (NoSuchFileException e) {
            throw new CliException(ExitCode.IO, what + " " + f + " does not exist", e);
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + what + " " + f + ": "
                    + IoMessages.describe(e), e);
        }
    }

    /** {@return the PostgreSQL store the session names, or empty for the file store} */
    Optional<StoreLocation.Postgres> postgres() {
        return storeLocation() instanceof StoreLocation.Postgres p ? Optional.of(p)
                : Optional.empty();
    }

    /**
     * Opens the store for a command that reads: on the file store, a root that does not exist
     * holds no conversation, and reading must not create it.
     *
     * @param convId the conversation the command reads, for the "not stored" error
     * @throws CliException (exit 3) if the data root does not exist
     */
    ConversationStore openStoreToRead(String convId) {
        Optional<StoreLocation.Postgres> postgres = postgres();
        if (postgres.isPresent()) {
            return PostgresStores.open(postgres.get(), storePassword());
        }
        Path dataRoot = dataRoot();
        if (!Files.exists(dataRoot)) {
            throw CliException.noSuchConversation(convId);
        }
        return FileConversationStore.open(dataRoot, config().storeOptions());
    }

    /**
     * Opens the store for a command that lists or searches everything: empty when the file
     * store's data root does not exist (it holds nothing, and listing must not create it).
     */
    Optional<ConversationStore> openStoreIfAny() {
        Optional<StoreLocation.Postgres> postgres = postgres();
        if (postgres.isPresent()) {
            return Optional.of(PostgresStores.open(postgres.get(), storePassword()));
        }
        Path dataRoot = dataRoot();
        if (!Files.exists(dataRoot)) {
            return Optional.empty();
        }
        return Optional.of(FileConversationStore.open(dataRoot, config().storeOptions()));
    }

    /** {@return where the store is, for messages: the data root, or the store's URL} */
    String storeDisplay() {
        return postgres().map(StoreLocation.Postgres::display)
                .orElseGet(() -> dataRoot().toString());
    }

    /**
     * Opens the store for a command that writes; the file store's root (and its parents) is
     * created on first use.
     */
    ConversationStore openStoreToWrite() {
        Optional<StoreLocation.Postgres> postgres = postgres();
        if (postgres.isPresent()) {
            return PostgresStores.open(postgres.get(), storePassword());
        }
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
    static ConversationEngine engine(ConversationStore store, CompactionPolicy policy,
                                     Summarizer summarizer) {
        return ConversationEngine.builder(store).policy(policy).summarizer(summarizer).build();
    }
}
