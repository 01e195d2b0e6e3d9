/**
 * Defines a black-box consumer of Palimpsest: an agent daemon's conversation memory, built only
 * on what the engine and the file store export (and what they re-export from the store API and
 * the model).
 */
module dev.palimpsest.consumer {
    // Transitive because engine types (CompactionPolicy, CompactionListener, PromptFormat,
    // OpenAiMessage) appear in AgentMemory's API. The engine's own `requires transitive
    // dev.palimpsest.store`, and the store's of dev.palimpsest.model, make the model types of
    // that API (Message, StoredMessage, Round, PalimpsestException) readable to our callers too.
    requires transitive dev.palimpsest.engine;
    // Only to open the FileConversationStore behind AgentMemory: no file store type appears in
    // its API, so callers need not read this module, and the store's own formats
    // (dev.palimpsest.format, which it requires without `transitive`) stay out of our reach.
    requires dev.palimpsest.store.file;

    exports dev.palimpsest.consumer;
}
