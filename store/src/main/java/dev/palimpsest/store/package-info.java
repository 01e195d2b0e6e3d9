/**
 * The store API: {@link dev.palimpsest.store.ConversationStore} and the values it takes and
 * returns. A change is a value ({@link dev.palimpsest.store.AppendRequest},
 * {@link dev.palimpsest.store.CompactionRequest}) that the store commits atomically with its
 * expectation, never a callback that must call back in under a lock. Every failure is a
 * {@link dev.palimpsest.model.PalimpsestException} with a kind.
 */
package dev.palimpsest.store;
