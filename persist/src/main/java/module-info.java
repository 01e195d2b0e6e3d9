/**
 * Defines the durable conversation store: one JSON state file per conversation, replaced
 * atomically and durably on every change, and an append-only archive of compacted rounds.
 */
module dev.palimpsest.persist {
    requires transitive dev.palimpsest.core;
    // The file format is written and read with Jackson; none of its types appear in the API.
    requires com.fasterxml.jackson.databind;
    // Registered so that the format records bind through their constructors' parameter names.
    requires com.fasterxml.jackson.module.paramnames;

    exports dev.palimpsest.persist;
    // Only Jackson may reflect on the format records of the implementation package.
    opens dev.palimpsest.persist.internal to com.fasterxml.jackson.databind;
}
