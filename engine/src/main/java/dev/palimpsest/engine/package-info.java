/**
 * The engine API: {@link dev.palimpsest.engine.ConversationEngine}, which appends rounds and
 * compacts conversations on top of a {@code ConversationStore}, and the types it takes and
 * returns: the {@link dev.palimpsest.engine.CompactionPolicy}, the
 * {@link dev.palimpsest.engine.Summarizer} and {@link dev.palimpsest.engine.TokenCounter} SPIs,
 * the {@link dev.palimpsest.engine.PromptContext} for the next model call, and the
 * {@link dev.palimpsest.engine.EngineException} family.
 *
 * <p>Invalid arguments (a policy with {@code keepRounds >= maxRounds}, a negative limit) are
 * rejected with {@link java.lang.IllegalArgumentException} naming the offending value; invalid
 * round texts with the core module's {@code InvalidModelException}; store failures pass through
 * as the store's {@code StoreException} subtypes.
 */
package dev.palimpsest.engine;
