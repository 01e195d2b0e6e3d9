/**
 * The engine: {@link dev.palimpsest.engine.ConversationEngine} and what configures it (the
 * compaction policy, the summarizer, the token counter), what it answers (append and compaction
 * outcomes, handles to wait for a compaction), and the prompt context it builds.
 */
package dev.palimpsest.engine;
