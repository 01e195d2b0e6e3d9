package dev.palimpsest.cli;

import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs one {@code palimpsest} command line against a {@link Terminal} and returns its exit code;
 * {@link Main} calls it with the process's streams, tests with their own.
 */
public final class Launcher {
    /**
     * Every subcommand, by name, in the order the help lists them. Suppliers, so that a run
     * builds only the subcommand it needs (see {@link #subcommandNamed(String[])}).
     */
    static final Map<String, Supplier<Subcommand>> SUBCOMMANDS = subcommands();

    private Launcher() {
    }

    private static Map<String, Supplier<Subcommand>> subcommands() {
        Map<String, Supplier<Subcommand>> commands = new LinkedHashMap<>();
        commands.put("append", AppendCommand::new);
        commands.put("import", ImportCommand::new);
        commands.put("show", ShowCommand::new);
        commands.put("context", ContextCommand::new);
        commands.put("transcript", TranscriptCommand::new);
        commands.put("search", SearchCommand::new);
        commands.put("compact", CompactCommand::new);
        commands.put("delete", DeleteCommand::new);
        commands.put("list", ListCommand::new);
        commands.put("check", CheckCommand::new);
        commands.put("db", DbCommand::new);
        commands.put("serve", ServeCommand::new);
        commands.put("demo", DemoCommand::new);
        commands.put("help", HelpCommand::new);
        commands.put("completion", CompletionCommand::new);
        return Collections.unmodifiableMap(commands);
    }

    /**
     * Runs a command line.
     *
     * @param terminal the streams and environment
     * @param args     the arguments
     * @return the exit code, one of {@link ExitCode}
     */
    public static int run(Terminal terminal, String... args) {
        int exit;
        try {
            exit = parseAndRun(terminal, args);
            terminal.out().flush();
        } catch (StandardOutputClosedException readerGone) {
            // As a Unix tool killed by SIGPIPE: at once, silently (the reader asked for no more).
            terminal.err().flush();
            return ExitCode.CLOSED_PIPE;
        }
        // PrintStream swallows write errors: a full disk behind standard output would otherwise
        // end in exit 0 with the output (append's number) lost.
        if (terminal.out().checkError() && exit == ExitCode.OK) {
            terminal.err().println("palimpsest: cannot write to standard output");
            exit = ExitCode.IO;
        }
        terminal.err().flush();
        return exit;
    }

    private static int parseAndRun(Terminal terminal, String[] args) {
        CommandSpec top = Specs.command("palimpsest",
                "Durable, compacting state for long-lived LLM agent conversations.");
        top.usageMessage().footer("",
                "Run 'palimpsest help COMMAND' for a command's options and their defaults. "
                        + "Defaults can be kept in <root>/" + LauncherConfig.FILE_NAME
                        + " (see docs/cli.md); a flag overrides its key for one call.",
                "",
                "Exit codes: 0 ok, 1 internal error, 2 usage or rejected input, 3 no such "
                        + "conversation or data root, 4 unreadable state, 5 conflict, 6 I/O "
                        + "failure, 7 summarizer failed during compact, 130/143 interrupted "
                        + "(SIGINT/SIGTERM) before the result was printed, 141 standard output "
                        + "closed by its reader.");
        CommandLine commandLine = new CommandLine(top);
        String named = subcommandNamed(args);
        // help and completion describe every command, so they need every model built.
        boolean all = named == null || named.equals("help") || named.equals("completion");
        Map<String, Subcommand> built = new LinkedHashMap<>();
        for (Map.Entry<String, Supplier<Subcommand>> entry : SUBCOMMANDS.entrySet()) {
            if (all || named.equals(entry.getKey())) {
                Subcommand subcommand = entry.getValue().get();
                built.put(entry.getKey(), subcommand);
                commandLine.addSubcommand(entry.getKey(), subcommand.spec());
            }
        }
        // An id may start with '@': never read arguments from a file.
        commandLine.setExpandAtFiles(false);
        // An option's value is the next argument, whatever it looks like: a text or a metadata
        // key may start with '-' ("--user -h is the help flag" stores that text).
        commandLine.setAllowOptionsAsOptionParameters(true);
        commandLine.setOut(new PrintWriter(terminal.out(), true));
        commandLine.setErr(new PrintWriter(terminal.err(), true));

        ParseResult parsed;
        try {
            parsed = commandLine.parseArgs(args);
        } catch (ParameterException e) {
            String name = e.getCommandLine().getCommandSpec().qualifiedName();
            terminal.err().println(name + ": " + UsageErrors.describe(e) + " (see '" + name
                    + " --help')");
            return ExitCode.USAGE;
        }
        Integer help = CommandLine.executeHelpRequest(parsed);
        if (help != null) {
            return help;
        }
        if (!parsed.hasSubcommand()) {
            commandLine.usage(terminal.err());
            return ExitCode.USAGE;
        }
        ParseResult sub = parsed.subcommand();
        String root = sub.matchedOptionValue(Specs.ROOT,
                parsed.matchedOptionValue(Specs.ROOT, (String) null));
        String store = sub.matchedOptionValue(Specs.STORE,
                parsed.matchedOptionValue(Specs.STORE, (String) null));
        boolean debug = sub.matchedOptionValue(Specs.DEBUG, Boolean.FALSE)
                || parsed.matchedOptionValue(Specs.DEBUG, Boolean.FALSE);
        String name = sub.commandSpec().name();
        Invocation invocation = new Invocation(new Session(terminal, root, store, debug),
                sub);
        try {
            return built.get(name).run(invocation);
        } catch (StandardOutputClosedException readerGone) {
            throw readerGone;
        } catch (Exception e) {
            return ErrorReport.report(terminal.err(), "palimpsest " + name, invocation.id(), e,
                    debug);
        }
    }

    /**
     * Returns the subcommand a command line names, or {@code null} if it names none (then all
     * are built, for the help and for "did you mean" suggestions). Only the top-level options
     * can stand before the subcommand, and only {@code --root} and {@code --store} take a
     * value.
     */
    static String subcommandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals(Specs.ROOT) || arg.equals(Specs.STORE)) {
                i++;
            } else if (SUBCOMMANDS.containsKey(arg)) {
                return arg;
            } else if (!arg.startsWith("-") || arg.equals("--")) {
                return null;
            }
        }
        return null;
    }
}
