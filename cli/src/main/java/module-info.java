/**
 * Defines the {@code palimpsest} command-line launcher: it parses arguments, calls the engine or
 * the store, prints, and exits.
 */
module dev.palimpsest.cli {
    requires dev.palimpsest.engine;
    requires info.picocli;

    // picocli reads and sets the annotated command fields reflectively.
    opens dev.palimpsest.cli to info.picocli;
}
