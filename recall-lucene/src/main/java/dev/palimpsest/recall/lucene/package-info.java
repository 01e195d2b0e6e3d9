/**
 * {@link dev.palimpsest.recall.lucene.LuceneRecall}: a {@link dev.palimpsest.store.Recall} on a
 * Lucene index in a directory of its own, and its {@link
 * dev.palimpsest.recall.lucene.LuceneRecallOptions}.
 */
package dev.palimpsest.recall.lucene;
