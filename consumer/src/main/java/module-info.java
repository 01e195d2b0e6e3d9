/**
 * Defines a black-box consumer of Palimpsest: an agent daemon's conversation memory, built only
 * on what the engine exports (and what it re-exports from the store and the model).
 */
module dev.palimpsest.consumer {
    // The engine's `requires transitive` makes dev.palimpsest.persist and dev.palimpsest.core
    // readable too: no other directive is needed. Transitive here because engine types
    // (CompactionPolicy, ChatMessage) appear in AgentMemory's own API.
    requires transitive dev.palimpsest.engine;

    exports dev.palimpsest.consumer;
}
