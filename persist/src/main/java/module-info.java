/**
 * Defines the durable conversation store: one JSON state file per conversation, replaced
 * atomically and durably on every change, and an append-only archive of compacted rounds.
 */
module dev.palimpsest.persist {
    requires transitive dev.palimpsest.core;
    // The file format is written and read with Jackson's streaming API, which is strict by
    // construction and starts fast; none of its types appear in the API.
    requires com.fasterxml.jackson.core;

    exports dev.palimpsest.persist;
}
