/**
 * The file-based implementation of the store. Not exported: reach it through
 * {@link dev.palimpsest.persist.ConversationStore#open(dev.palimpsest.persist.StoreOptions)}.
 */
package dev.palimpsest.persist.internal;
