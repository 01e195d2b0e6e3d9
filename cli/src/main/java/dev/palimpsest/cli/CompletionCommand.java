package dev.palimpsest.cli;

import picocli.AutoComplete;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * {@code palimpsest completion bash|zsh}: prints a shell completion script for every command
 * and option, generated from the same models the launcher parses with (so it never goes stale).
 * The one script serves both shells: under zsh it enables zsh's bash-completion emulation
 * ({@code bashcompinit}) itself.
 */
final class CompletionCommand implements Subcommand {
    @Override
    public CommandSpec spec() {
        CommandSpec spec = Specs.command("completion", "Print a shell completion script for "
                + "bash or zsh.", "bash: add 'source <(palimpsest completion bash)' to "
                + "~/.bashrc. zsh: add 'source <(palimpsest completion zsh)' to ~/.zshrc.");
        spec.addPositional(PositionalParamSpec.builder().index("0").arity("1")
                .paramLabel("SHELL").type(String.class)
                .description("bash or zsh.").build());
        return spec;
    }

    @Override
    public int run(Invocation invocation) {
        String shell = invocation.positional(0);
        if (!shell.equals("bash") && !shell.equals("zsh")) {
            throw CliException.usage("no completion for shell " + Text.quote(shell)
                    + " (bash and zsh are supported)");
        }
        invocation.terminal().out().print(
                AutoComplete.bash("palimpsest", invocation.topCommandLine()));
        return ExitCode.OK;
    }
}
