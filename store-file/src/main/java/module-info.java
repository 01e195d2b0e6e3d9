/**
 * Defines the file store of Palimpsest: per conversation, an append-only log of framed records
 * (the source of truth) and a checkpoint of its state (the trusty-mpm state file), under
 * {@code <root>/sm/}.
 */
module dev.palimpsest.store.file {
    requires transitive dev.palimpsest.store;
    // The stored formats; none of their types appear in this module's API.
    requires dev.palimpsest.format;

    exports dev.palimpsest.store.file;
}
