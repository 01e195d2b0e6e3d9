/**
 * Defines the {@code palimpsest} command-line launcher: it parses arguments, calls the engine or
 * the store, prints, and exits. It exports nothing.
 */
module dev.palimpsest.cli {
    requires dev.palimpsest.engine;
    requires dev.palimpsest.store.file;
    // The stored v2 JSON of messages, rounds and states, printed by show and transcript.
    requires dev.palimpsest.format;
    requires dev.palimpsest.summarizer.openai;
    // Search and the context for a question; its classes (and Lucene's) load only when a
    // command searches or erases from an index.
    requires dev.palimpsest.recall.lucene;
    // The PostgreSQL store, selected by --store or config.json; its classes (and java.sql's) load
    // only then. Its driver has no module descriptor: on the class path, or in the image's
    // lib/classpath/, loaded by a class loader of its own when a command first needs it.
    requires dev.palimpsest.store.postgres;
    // palimpsest serve: the HTTP API (and jdk.httpserver), loaded only by that command.
    requires dev.palimpsest.server;
    uses java.sql.Driver;
    // JSON output and config.json, through the streaming API only (no databind on this path).
    requires com.fasterxml.jackson.core;
    // The commands' models are built with picocli's programmatic API: picocli needs no
    // reflective access to this module, so nothing is opened to it.
    requires info.picocli;
    // Log records of the engine and the JDK: dropped, or one line each with --debug, instead of
    // java.util.logging's two-line console format (see LauncherLoggerFinder).
    provides java.lang.System.LoggerFinder with dev.palimpsest.cli.LauncherLoggerFinder;
}
