/**
 * Defines the conversation engine: round management, compaction policies, summarizers, token
 * estimates and prompt context, on top of a {@code ConversationStore}.
 */
module dev.palimpsest.engine {
    // Both modules' types (Conversation, Round, ConversationStore) appear in the engine's API.
    requires transitive dev.palimpsest.core;
    requires transitive dev.palimpsest.persist;
    // The OpenAI-compatible summarizer talks HTTP with the JDK's client and JSON with Jackson;
    // neither appears in the API.
    requires java.net.http;
    requires com.fasterxml.jackson.databind;

    exports dev.palimpsest.engine;
    exports dev.palimpsest.engine.summarizer;
}
