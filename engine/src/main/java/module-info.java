/**
 * Defines the conversation engine of the model v2: it appends messages through any
 * {@link dev.palimpsest.store.ConversationStore}, folds the oldest whole rounds into the
 * compressed context with a {@link dev.palimpsest.engine.Summarizer} when a
 * {@link dev.palimpsest.engine.CompactionPolicy} says so, and renders the prompt context in the
 * shapes chat APIs take ({@code dev.palimpsest.engine.prompt}).
 *
 * <p>It needs no JSON library and no HTTP client: summarizers that call a model live in their own
 * modules.
 */
module dev.palimpsest.engine {
    // Store and model types (ConversationStore, Message, Round) appear in the engine's API.
    requires transitive dev.palimpsest.store;

    exports dev.palimpsest.engine;
    exports dev.palimpsest.engine.prompt;
}
