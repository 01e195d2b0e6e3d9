/**
 * Defines the immutable conversation model of Palimpsest: rounds, counters and their validation.
 *
 * <p>The model has no third-party dependency and no serialization annotations; the store maps it
 * to its file format.
 */
module dev.palimpsest.core {
    exports dev.palimpsest.core;
}
