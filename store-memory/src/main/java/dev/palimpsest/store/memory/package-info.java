/** The in-memory store: {@link dev.palimpsest.store.memory.InMemoryConversationStore}. */
package dev.palimpsest.store.memory;
