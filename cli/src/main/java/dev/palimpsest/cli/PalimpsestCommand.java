package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.persist.ConversationStore;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The top-level {@code palimpsest} command: the options every subcommand shares, and the
 * services the subcommands call (the data root, its configuration, the store and the engine).
 * Its subcommands are added by {@link Launcher}, which builds only the one a command line
 * names (see {@link #SUBCOMMANDS}).
 */
@Command(name = "palimpsest", mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Durable, compacting state for long-lived LLM agent conversations.",
        footer = {"", "Exit codes: 0 ok, 1 internal error, 2 usage or rejected id, "
                + "3 no such conversation, 4 unreadable state, 5 conflict, 6 I/O failure, "
                + "7 summarizer failed during compact."})
final class PalimpsestCommand implements Callable<Integer> {
    /**
     * Every subcommand, by name, in the order the help lists them. Suppliers, so that a run
     * builds only the subcommand it needs: picocli's model of a command is built by reflection
     * over its annotations, and building all of them is most of a cold start (see
     * docs/architecture.md, "Start-up of the launcher").
     */
    static final Map<String, Supplier<Object>> SUBCOMMANDS = subcommands();

    /** The environment variable naming the default data root. */
    static final String HOME_VARIABLE = "PALIMPSEST_HOME";

    @Spec
    CommandSpec spec;

    String root;

    boolean debug;

    private final Terminal terminal;

    PalimpsestCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    /**
     * Sets {@code --root}, accepted before or after the subcommand (INHERIT binds the
     * subcommands' copies of the option to this setter). picocli also applies each copy's
     * default (null) when it parses a subcommand, which would erase a value given before the
     * subcommand: so null is ignored.
     */
    @Option(names = "--root", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "The data root (default: $PALIMPSEST_HOME, else ~/.palimpsest).")
    void root(String value) {
        if (value != null) {
            root = value;
        }
    }

    /** Sets {@code --debug}; like {@link #root(String)}, a default never resets it. */
    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print the stack trace of a failure.")
    void debug(boolean value) {
        if (value) {
            debug = true;
        }
    }

    @Override
    public Integer call() {
        spec.commandLine().usage(terminal.err());
        return ExitCode.USAGE;
    }

    private static Map<String, Supplier<Object>> subcommands() {
        Map<String, Supplier<Object>> commands = new LinkedHashMap<>();
        commands.put("append", AppendCommand::new);
        commands.put("show", ShowCommand::new);
        commands.put("context", ContextCommand::new);
        commands.put("transcript", TranscriptCommand::new);
        commands.put("compact", CompactCommand::new);
        commands.put("delete", DeleteCommand::new);
        commands.put("list", ListCommand::new);
        commands.put("check", CheckCommand::new);
        commands.put("demo", DemoCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    /** Returns the streams and environment of this run. */
    Terminal terminal() {
        return terminal;
    }

    /** Tells whether {@code --root} was given. */
    boolean rootGiven() {
        return root != null;
    }

    /**
     * Resolves the data root: {@code --root}, else {@code $PALIMPSEST_HOME}, else
     * {@code ~/.palimpsest}.
     */
    Path dataRoot() {
        String chosen = root;
        String what = "--root";
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

    /** Opens the store on the data root. */
    ConversationStore openStore() {
        return ConversationStore.open(dataRoot());
    }

    /** Builds an engine over {@code store} that compacts in the calling thread. */
    static ConversationEngine engine(ConversationStore store, CompactionPolicy policy,
                                     Summarizer summarizer) {
        return ConversationEngine.builder(store).policy(policy).summarizer(summarizer).build();
    }
}
