/**
 * A daemon's conversation memory on top of the Palimpsest engine and its file store: {@link
 * dev.palimpsest.consumer.AgentMemory}. It exists to show, and to test, how the library is
 * embedded from another module.
 */
package dev.palimpsest.consumer;
