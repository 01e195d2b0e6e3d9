/**
 * Defines a {@link dev.palimpsest.store.ConversationStore} held in memory: it passes the whole
 * store contract but keeps nothing across processes. For tests, examples, and embedders that need
 * no durability.
 */
module dev.palimpsest.store.memory {
    requires transitive dev.palimpsest.store;

    exports dev.palimpsest.store.memory;
}
