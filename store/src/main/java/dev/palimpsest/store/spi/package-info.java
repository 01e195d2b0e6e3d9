/**
 * What a backend needs besides the API: {@link dev.palimpsest.store.spi.ChangeRules}, the rules of
 * an append (ids, expectations, round boundaries, numbering) and of a compaction in one place, so
 * that every backend numbers and refuses exactly alike.
 */
package dev.palimpsest.store.spi;
