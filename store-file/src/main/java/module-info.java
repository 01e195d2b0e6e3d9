/**
 * Defines the file store of Palimpsest: per conversation, an append-only log of framed records
 * (the source of truth) and a checkpoint of its state (the trusty-mpm state file), under
 * {@code <root>/sm/}.
 */
module dev.palimpsest.store.file {
    requires transitive dev.palimpsest.store;
    // The stored formats; none of their types appear in this module's API.
    requires dev.palimpsest.format;
    // sun.misc.Unsafe.invokeCleaner: unmapping a lock file's fields when its descriptor closes
    // (Java 17 has no other way); without it the store reads and writes them with pread/pwrite.
    requires jdk.unsupported;

    exports dev.palimpsest.store.file;
}
