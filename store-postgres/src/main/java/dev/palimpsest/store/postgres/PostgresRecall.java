package dev.palimpsest.store.postgres;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.ConversationIds;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Recall from the database itself: each message row carries its {@code tsvector} (English
 * stemming and stop words), written in the transaction that appends it and indexed by GIN, so
 * a search on any host sees every message any host's append committed, and a deleted
 * conversation's rows are gone from the index with it. There is no second copy to catch up,
 * rebuild or erase.
 *
 * <p>Ranking is PostgreSQL's {@code ts_rank} with length normalization 1 (the rank divided by
 * 1 + the log of the message's length), not BM25: a word's rarity across messages does not
 * weigh in. docs/postgres.md measures what that costs on the memory benchmark.
 */
public final class PostgresRecall implements Recall {
    /** The most words of a question that count; the rest are left out. */
    static final int MAX_WORDS = 64;

    private final PostgresConversationStore store;

    private PostgresRecall(PostgresConversationStore store) {
        this.store = store;
    }

    /**
     * {@return recall over the messages of {@code store}}, through its connections
     *
     * @param store the store; closing it ends the recall too
     */
    public static PostgresRecall of(PostgresConversationStore store) {
        if (store == null) {
            throw PalimpsestException.invalid("store must not be null");
        }
        return new PostgresRecall(store);
    }

    /**
     * {@return the first {@value #MAX_WORDS} words of a question}: the database's parser splits
     * them further, the same way it split the messages
     */
    static String firstWords(String text) {
        String[] words = text.strip().split("\\s+", MAX_WORDS + 1);
        int n = Math.min(words.length, MAX_WORDS);
        return String.join(" ", java.util.Arrays.asList(words).subList(0, n)).replace('\0', ' ');
    }

    @Override
    public List<RecallHit> search(RecallQuery query) {
        if (query == null) {
            throw PalimpsestException.invalid("query must not be null");
        }
        byte[] key = query.convId().map(PostgresConversationStore::key).orElse(null);
        String where = query.convId().map(id -> "search of '" + id + "'")
                .orElse("search of every conversation");
        String words = firstWords(query.text());
        return store.run(query.convId().orElse(null), where, Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = store.prepare(s, key == null ? Sql.SEARCH_EVERYWHERE
                    : Sql.SEARCH_ONE)) {
                int i = 1;
                ps.setString(i++, words);
                if (key != null) {
                    ps.setBytes(i++, key);
                }
                ps.setInt(i, query.limit());
                List<RecallHit> hits = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String convId = PostgresConversationStore.convId(rs.getBytes(1));
                        hits.add(new RecallHit(convId,
                                PostgresConversationStore.message(rs.getString(2), convId),
                                rs.getDouble(3)));
                    }
                }
                return hits;
            }
        });
    }

    /**
     * Does nothing more than check the id: the conversation's rows, and their text-search
     * entries with them, went when the store deleted it.
     */
    @Override
    public void erase(String convId) {
        ConversationIds.check(convId);
    }

    /** Does nothing: the store owns the connections. */
    @Override
    public void close() {
    }
}
