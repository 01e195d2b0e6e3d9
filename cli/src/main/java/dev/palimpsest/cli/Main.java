package dev.palimpsest.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code palimpsest} launcher's entry point. */
@Command(name = "palimpsest", mixinStandardHelpOptions = true, version = "palimpsest 0.1.0",
        description = "Durable, compacting state for LLM agent conversations.")
public final class Main implements Runnable {
    /**
     * Runs the launcher and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
