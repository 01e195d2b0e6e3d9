package dev.palimpsest.cli;

import picocli.CommandLine.Model.CommandSpec;

/**
 * One {@code palimpsest} command: its picocli model and what it does.
 *
 * <p>The models are built with picocli's programmatic API rather than from annotations: building
 * a model from annotations reflects over every annotated element (and spins a proxy class per
 * annotation type), which measured as about a quarter of a cold {@code show}'s CPU time (see
 * docs/architecture.md, "Start-up of the launcher").
 */
interface Subcommand {
    /**
     * Builds the command's model: name, description, options and positional parameters.
     *
     * @return a new model
     */
    CommandSpec spec();

    /**
     * Runs the command.
     *
     * @param invocation the parsed command line and the session
     * @return the exit code
     * @throws Exception whatever failed; {@link ErrorReport} maps it to an exit code
     */
    int run(Invocation invocation) throws Exception;
}
