/**
 * The stored formats: {@link dev.palimpsest.format.LogRecord}s and
 * {@link dev.palimpsest.format.Checkpoint}s, encoded and decoded by
 * {@link dev.palimpsest.format.FormatCodec}. docs/format.md describes them field by field.
 */
package dev.palimpsest.format;
