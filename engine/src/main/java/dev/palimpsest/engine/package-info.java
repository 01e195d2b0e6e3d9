/**
 * The engine API: {@code ConversationEngine} and the types it takes and returns.
 */
package dev.palimpsest.engine;
