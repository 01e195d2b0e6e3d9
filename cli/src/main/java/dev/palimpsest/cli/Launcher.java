package dev.palimpsest.cli;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Runs one {@code palimpsest} command line against a {@link Terminal} and returns its exit code;
 * {@link Main} calls it with the process's streams, tests with their own.
 */
public final class Launcher {
    private Launcher() {
    }

    /**
     * Runs a command line.
     *
     * @param terminal the streams and environment
     * @param args     the arguments
     * @return the exit code, one of {@link ExitCode}
     */
    public static int run(Terminal terminal, String... args) {
        PalimpsestCommand top = new PalimpsestCommand(terminal);
        CommandLine commandLine = new CommandLine(top);
        String named = subcommandNamed(args);
        for (Map.Entry<String, Supplier<Object>> entry
                : PalimpsestCommand.SUBCOMMANDS.entrySet()) {
            if (named == null || named.equals(entry.getKey())) {
                commandLine.addSubcommand(entry.getKey(), entry.getValue().get());
            }
        }
        // An id may start with '@': never read arguments from a file.
        commandLine.setExpandAtFiles(false);
        commandLine.setOut(new java.io.PrintWriter(terminal.out(), true));
        commandLine.setErr(new java.io.PrintWriter(terminal.err(), true));
        commandLine.setParameterExceptionHandler((ParameterException e, String[] ignored) -> {
            CommandLine failed = e.getCommandLine();
            terminal.err().println(commandName(failed) + ": " + Text.oneLine(e.getMessage())
                    + " (see '" + commandName(failed) + " --help')");
            terminal.err().flush();
            return ExitCode.USAGE;
        });
        commandLine.setExecutionExceptionHandler((Exception e, CommandLine failed,
                                                  ParseResult parsed) -> ErrorReport.report(
                terminal.err(), commandName(failed), convIdOf(failed), e, top.debug));
        int exit = commandLine.execute(args);
        terminal.out().flush();
        // PrintStream swallows write errors: a full disk or a closed pipe behind standard
        // output would otherwise end in exit 0 with the output (append's number) lost.
        if (terminal.out().checkError() && exit == ExitCode.OK) {
            terminal.err().println("palimpsest: cannot write to standard output");
            exit = ExitCode.IO;
        }
        terminal.err().flush();
        return exit;
    }

    /**
     * Returns the subcommand a command line names, or {@code null} if it names none (then all
     * are built, for the help and for "did you mean" suggestions). Only the top-level options
     * can stand before the subcommand, and only {@code --root} takes a value.
     */
    static String subcommandNamed(String[] args) {
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--root")) {
                i++;
            } else if (PalimpsestCommand.SUBCOMMANDS.containsKey(arg)) {
                return arg;
            } else if (!arg.startsWith("-") || arg.equals("--")) {
                return null;
            }
        }
        return null;
    }

    private static String commandName(CommandLine commandLine) {
        return commandLine.getCommandSpec().qualifiedName();
    }

    /** The id a subcommand was given, if it takes one, for the error line. */
    private static String convIdOf(CommandLine commandLine) {
        List<CommandLine.Model.PositionalParamSpec> positionals =
                commandLine.getCommandSpec().positionalParameters();
        for (CommandLine.Model.PositionalParamSpec positional : positionals) {
            if ("ID".equals(positional.paramLabel()) && positional.getValue() instanceof String id) {
                return id;
            }
        }
        return null;
    }
}
