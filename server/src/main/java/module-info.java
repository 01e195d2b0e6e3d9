/**
 * Defines the HTTP/1.1 JSON API of {@code palimpsest serve}: conversations, appends (the message
 * id is the idempotency key), context, transcript, search and compaction over any
 * {@link dev.palimpsest.store.ConversationStore}, through a
 * {@link dev.palimpsest.engine.ConversationEngine}. See {@link dev.palimpsest.server.PalimpsestServer}.
 */
module dev.palimpsest.server {
    // The engine's types (ConversationEngine) appear in the server's builder.
    requires transitive dev.palimpsest.engine;
    // The JSON of stored messages (as the log holds them) and of appended ones (OpenAI format).
    requires dev.palimpsest.format;
    // Request and response bodies, through the streaming API only.
    requires com.fasterxml.jackson.core;
    // The JDK's HTTP server (HttpServer, HttpsServer): about 156 KB, no other dependency.
    requires jdk.httpserver;

    exports dev.palimpsest.server;
}
