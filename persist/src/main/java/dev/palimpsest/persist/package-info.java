/**
 * The store API: {@link dev.palimpsest.persist.ConversationStore}, its options, its result types
 * and its exceptions (all subtypes of {@link dev.palimpsest.persist.StoreException}).
 *
 * <p>The implementation lives in a package this module does not export; obtain a store with
 * {@link dev.palimpsest.persist.ConversationStore#open(java.nio.file.Path)}.
 */
package dev.palimpsest.persist;
