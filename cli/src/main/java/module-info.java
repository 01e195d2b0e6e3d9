/**
 * Defines the {@code palimpsest} command-line launcher: it parses arguments, calls the engine or
 * the store, prints, and exits. It exports nothing.
 */
module dev.palimpsest.cli {
    requires dev.palimpsest.engine;
    // JSON output and config.json, through the streaming API only (no databind on this path).
    requires com.fasterxml.jackson.core;
    requires info.picocli;

    // picocli reads and sets the annotated command fields reflectively.
    opens dev.palimpsest.cli to info.picocli;
}
