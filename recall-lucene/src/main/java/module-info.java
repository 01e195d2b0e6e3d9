/**
 * Defines recall on Apache Lucene: a BM25 index of every message of any
 * {@link dev.palimpsest.store.ConversationStore}, derived from the store and caught up from it.
 */
module dev.palimpsest.recall.lucene {
    // Recall, RecallQuery and ConversationStore appear in this module's API.
    requires transitive dev.palimpsest.store;
    requires org.apache.lucene.core;
    // lucene-core maps its index files into memory and unmaps them through
    // sun.misc.Unsafe.invokeCleaner; without this module in the image it warns on every open.
    requires jdk.unsupported;
    // lucene-core reads the heap and the OS through java.lang.management to size its buffers;
    // without it, it warns as well.
    requires jdk.management;

    exports dev.palimpsest.recall.lucene;
}
