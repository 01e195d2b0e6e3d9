/**
 * Defines the conversation engine: round management, compaction policies, summarizers, token
 * estimates and prompt context, on top of a {@code ConversationStore}.
 */
module dev.palimpsest.engine {
    // Both modules' types (Conversation, Round, ConversationStore) appear in the engine's API.
    requires transitive dev.palimpsest.core;
    requires transitive dev.palimpsest.persist;

    exports dev.palimpsest.engine;
}
