/**
 * Defines the contract of a {@link dev.palimpsest.store.ConversationStore}: one JUnit suite that
 * every backend's tests extend, so that "a store" means the same thing for files, memory and
 * PostgreSQL. Never shipped.
 */
open module dev.palimpsest.store.contract {
    requires transitive dev.palimpsest.store;
    requires transitive org.junit.jupiter.api;
    requires dev.palimpsest.testkit;

    exports dev.palimpsest.store.contract;
}
