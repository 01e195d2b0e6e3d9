/**
 * Defines the store API of Palimpsest: the {@link dev.palimpsest.store.ConversationStore} that
 * every backend (files, memory, PostgreSQL) implements, the operations it commits atomically, and,
 * in {@code dev.palimpsest.store.spi}, the append rules every backend shares.
 *
 * <p>The API names no {@code Path}, file or SQL: what only one backend has lives on that
 * backend's own type.
 */
module dev.palimpsest.store {
    requires transitive dev.palimpsest.model;

    exports dev.palimpsest.store;
    exports dev.palimpsest.store.spi;
}
