package dev.palimpsest.cli;

import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code palimpsest help [COMMAND]}: the usage of the launcher or of one command. */
final class HelpCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("help", "Show the usage of palimpsest, or of COMMAND "
                + "with every option and its default (the same as 'palimpsest COMMAND --help').");
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("0..1")
                .paramLabel("COMMAND").type(String.class)
                .description("The command to describe.").build());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        CommandLine top = invocation.topCommandLine();
        String command = invocation.positional(0);
        if (command == null) {
            top.usage(invocation.terminal().out());
            return ExitCode.OK;
        }
        Map<String, CommandLine> commands = top.getSubcommands();
        CommandLine named = commands.get(command);
        if (named == null) {
            String suggestion = Suggestions.didYouMean(
                    Suggestions.closest(command, commands.keySet()));
            throw CliException.usage("no command " + Text.quote(command)
                    + (suggestion.isEmpty() ? "" : "; " + suggestion)
                    + " (see 'palimpsest --help')");
        }
        named.usage(invocation.terminal().out());
        return ExitCode.OK;
    }
}
