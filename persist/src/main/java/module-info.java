/**
 * Defines the durable conversation store: one JSON state file per conversation, replaced
 * atomically and durably on every change, and an append-only archive of compacted rounds.
 */
module dev.palimpsest.persist {
    requires transitive dev.palimpsest.core;
    // The file format is written and read with Jackson; none of its types appear in the API.
    requires com.fasterxml.jackson.databind;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires com.fasterxml.jackson.module.paramnames;

    exports dev.palimpsest.persist;
}
