package dev.palimpsest.cli;

import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Builders for the launcher's picocli models (see {@link Subcommand} for why not annotations). */
final class Specs {
    static final String ROOT = "--root";
    static final String DEBUG = "--debug";
    static final String STORE = "--store";

    private Specs() {
    }

    /**
     * Starts a command's model with the options every command takes: {@code --root},
     * {@code --store}, {@code --debug}, {@code --help} and {@code --version}. Declaring the first two on each
     * command, rather than only on {@code palimpsest}, is what lets them stand before or after
     * the subcommand.
     */
    static CommandSpec command(String name, String... description) {
        CommandSpec spec = CommandSpec.create().name(name).version(VersionProvider.version());
        spec.usageMessage().description(description);
        // The options of picocli's mixinStandardHelpOptions, declared here: the mixin is built
        // by reflection over picocli's own annotations (four proxy classes), which was a fifth
        // of a cold `show`.
        spec.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help message and exit.").build());
        spec.addOption(OptionSpec.builder("-V", "--version").versionHelp(true)
                .description("Print version information and exit.").build());
        spec.addOption(option(ROOT, "DIR", String.class,
                "The data root (default: $PALIMPSEST_HOME, else ~/.palimpsest)."));
        spec.addOption(option(STORE, "URL", String.class,
                "Where conversations live: 'files' of the data root (default), or a"
                        + " postgresql://USER@HOST[:PORT]/DATABASE URL; the password comes from"
                        + " $PALIMPSEST_STORE_PASSWORD or store_password_file (default: 'store'"
                        + " in config.json)."));
        spec.addOption(flag(DEBUG, "Print the stack trace of a failure."));
        return spec;
    }

    /** An option with one value. */
    static OptionSpec option(String name, String label, Class<?> type, String... description) {
        return OptionSpec.builder(name).paramLabel(label).type(type).description(description)
                .build();
    }

    /** An option without a value. */
    static OptionSpec flag(String name, String... description) {
        return OptionSpec.builder(name).type(boolean.class).arity("0").description(description)
                .build();
    }

    /** An option that may be given many times, one value each. */
    static OptionSpec repeatable(String name, String label, String... description) {
        return OptionSpec.builder(name).paramLabel(label).type(List.class)
                .auxiliaryTypes(String.class).arity("1").description(description).build();
    }

    /** The conversation id, the one positional parameter of most commands. */
    static PositionalParamSpec id() {
        return PositionalParamSpec.builder().index("0").arity("1").required(true).paramLabel("ID").type(String.class)
                .description("The conversation id.").build();
    }
}
