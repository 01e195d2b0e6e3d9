/**
 * A daemon's conversation memory on top of the Palimpsest engine: {@link
 * dev.palimpsest.consumer.AgentMemory}. It exists to show, and to test, how the library is
 * embedded from another module.
 */
package dev.palimpsest.consumer;
