/**
 * Defines the stored formats of Palimpsest v2: the payload of each log record and the schema-2
 * checkpoint (the conversation's state file), with the JSON of a stored message they share.
 * Reading is strict: an unknown or duplicate key, a wrong type, trailing data, nesting past 32
 * levels or a newer schema is refused as {@code CORRUPT}, naming the field.
 */
module dev.palimpsest.format {
    requires transitive dev.palimpsest.model;
    // Written and read with Jackson's streaming API: strict by construction, fast to start, and
    // none of its types appear in this module's API.
    requires com.fasterxml.jackson.core;

    exports dev.palimpsest.format;
}
