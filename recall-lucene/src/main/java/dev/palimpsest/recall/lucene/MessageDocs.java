package dev.palimpsest.recall.lucene;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The documents of the index and how to read them back. A message is one document: its words
 * (indexed, not stored: the store keeps the text), its conversation, seq and a hash of its words
 * (doc values, to find it in the store and to notice that the store's message is another one).
 * Each conversation has one mark document saying through which seq its messages are indexed;
 * the mark and the messages it covers commit together, so an index is always consistent.
 */
final class MessageDocs {
    /** Every document's conversation: a term (to filter and delete) and doc values (to read). */
    static final String CONV = "conv";
    /** The words of a message. */
    static final String TEXT = "text";
    /** A message's seq. */
    static final String SEQ = "seq";
    /** A hash of a message's words. */
    static final String HASH = "hash";
    /** The conversation of a mark document, as a term. */
    static final String MARK = "mark";
    /** Through which seq a mark's conversation is indexed. */
    static final String THROUGH = "through";
    /** The hash of the words of the last message a mark covers, to tell a recreated one. */
    static final String LAST_HASH = "lasthash";

    private MessageDocs() {
    }

    /** {@return the words recall searches in a message}: its text, tool name and tool calls */
    static String words(Message message) {
        StringBuilder out = new StringBuilder(message.content());
        message.toolName().ifPresent(name -> out.append('\n').append(name));
        for (ToolCall call : message.toolCalls()) {
            out.append('\n').append(call.name()).append('\n').append(call.arguments());
        }
        return out.toString();
    }

    /** {@return a 64-bit FNV-1a hash of the words}: equal messages hash equal */
    static long hash(String words) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < words.length(); i++) {
            h ^= words.charAt(i);
            h *= 0x100000001b3L;
        }
        return h;
    }

    static Document message(String convId, StoredMessage stored) {
        String words = words(stored.message());
        Document doc = new Document();
        doc.add(new StringField(CONV, convId, Field.Store.NO));
        doc.add(new SortedDocValuesField(CONV, new BytesRef(convId)));
        doc.add(new NumericDocValuesField(SEQ, stored.seq()));
        doc.add(new NumericDocValuesField(HASH, hash(words)));
        doc.add(new TextField(TEXT, words, Field.Store.NO));
        return doc;
    }

    static Document mark(String convId, long through, long lastHash) {
        Document doc = new Document();
        // Every document of a field has the same structures (Lucene checks it): a mark's
        // conversation has doc values too, although no search reads them.
        doc.add(new StringField(CONV, convId, Field.Store.NO));
        doc.add(new SortedDocValuesField(CONV, new BytesRef(convId)));
        doc.add(new StringField(MARK, convId, Field.Store.NO));
        doc.add(new NumericDocValuesField(THROUGH, through));
        doc.add(new NumericDocValuesField(LAST_HASH, lastHash));
        return doc;
    }

    static Term convTerm(String convId) {
        return new Term(CONV, convId);
    }

    static Term markTerm(String convId) {
        return new Term(MARK, convId);
    }

    /** {@return through which seq {@code convId} is indexed in {@code reader}, 0 if not at all} */
    static long through(IndexReader reader, String convId) throws IOException {
        return markValue(reader, convId, THROUGH);
    }

    /**
     * {@return the hash of the last message the mark of {@code convId} covers, or 0 if there is
     * no mark} (0 then never matches a message: a missing hash means "index it again")
     */
    static long markHash(IndexReader reader, String convId) throws IOException {
        return reader == null ? 0 : markValue(reader, convId, LAST_HASH);
    }

    /** {@return a doc value of the live mark of {@code convId}, 0 if there is none} */
    private static long markValue(IndexReader reader, String convId, String field)
            throws IOException {
        BytesRef wanted = new BytesRef(convId);
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(MARK);
            if (terms == null) {
                continue;
            }
            TermsEnum te = terms.iterator();
            if (!te.seekExact(wanted)) {
                continue;
            }
            Optional<Long> found = liveValue(leaf.reader(), te.postings(null, PostingsEnum.NONE),
                    field);
            if (found.isPresent()) {
                return found.get();
            }
        }
        return 0;
    }

    /** {@return every conversation's mark in {@code reader}} */
    static Map<String, Long> marks(IndexReader reader) throws IOException {
        Map<String, Long> out = new HashMap<>();
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(MARK);
            if (terms == null) {
                continue;
            }
            TermsEnum te = terms.iterator();
            PostingsEnum postings = null;
            for (BytesRef term = te.next(); term != null; term = te.next()) {
                String convId = term.utf8ToString();
                postings = te.postings(postings, PostingsEnum.NONE);
                liveValue(leaf.reader(), postings, THROUGH).ifPresent(t -> out.put(convId, t));
            }
        }
        return out;
    }

    private static Optional<Long> liveValue(LeafReader leaf, PostingsEnum postings, String field)
            throws IOException {
        Bits live = leaf.getLiveDocs();
        for (int doc = postings.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS;
             doc = postings.nextDoc()) {
            if (live != null && !live.get(doc)) {
                continue;
            }
            NumericDocValues values = leaf.getNumericDocValues(field);
            if (values != null && values.advanceExact(doc)) {
                return Optional.of(values.longValue());
            }
        }
        return Optional.empty();
    }

    /** Where a hit points in the store. */
    record Pointer(String convId, long seq, long hash) {
    }

    /** {@return where the document {@code doc} of {@code reader} points} */
    static Pointer pointer(List<LeafReaderContext> leaves, int doc) throws IOException {
        LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
        int local = doc - leaf.docBase;
        SortedDocValues conv = leaf.reader().getSortedDocValues(CONV);
        NumericDocValues seq = leaf.reader().getNumericDocValues(SEQ);
        NumericDocValues hash = leaf.reader().getNumericDocValues(HASH);
        if (conv == null || seq == null || hash == null || !conv.advanceExact(local)
                || !seq.advanceExact(local) || !hash.advanceExact(local)) {
            throw new IOException("index document " + doc + " has no conversation, seq or hash");
        }
        return new Pointer(conv.lookupOrd(conv.ordValue()).utf8ToString(), seq.longValue(),
                hash.longValue());
    }
}
