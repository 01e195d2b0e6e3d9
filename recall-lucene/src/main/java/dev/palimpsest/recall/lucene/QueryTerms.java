package dev.palimpsest.recall.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;

/**
 * Turns a question in plain words into a query: every distinct word of it, analyzed as the
 * messages were (Unicode word breaks, lower case, no stop words: BM25 weighs common words down on
 * its own), is one optional clause. There is no query syntax, so no text can fail to parse or
 * reach further than its words.
 */
final class QueryTerms {
    /** The most distinct words of a question that count; the rest are left out. */
    static final int MAX_TERMS = 64;

    private QueryTerms() {
    }

    /** {@return the analyzer of messages and questions alike} */
    static Analyzer analyzer() {
        return new StandardAnalyzer();
    }

    /** {@return the distinct words of {@code text}, first {@link #MAX_TERMS}, in order} */
    static Set<String> words(Analyzer analyzer, String text) {
        Set<String> out = new LinkedHashSet<>();
        try (TokenStream tokens = analyzer.tokenStream(MessageDocs.TEXT, text)) {
            CharTermAttribute term = tokens.addAttribute(CharTermAttribute.class);
            tokens.reset();
            while (out.size() < MAX_TERMS && tokens.incrementToken()) {
                out.add(term.toString());
            }
            tokens.end();
        } catch (IOException e) {
            // Analysis of a String reads no file: this is a bug, not an I/O failure.
            throw new UncheckedIOException("analysis of a query failed", e);
        }
        return out;
    }

    /** {@return a query matching messages with any of {@code words}} */
    static Query anyOf(Set<String> words) {
        BooleanQuery.Builder query = new BooleanQuery.Builder();
        for (String word : words) {
            query.add(new TermQuery(new Term(MessageDocs.TEXT, word)), BooleanClause.Occur.SHOULD);
        }
        return query.build();
    }
}
