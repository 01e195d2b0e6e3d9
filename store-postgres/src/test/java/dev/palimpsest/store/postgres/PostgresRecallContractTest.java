package dev.palimpsest.store.postgres;

import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.contract.RecallContract;

/** Recall from the database's own text search passes the recall contract. */
class PostgresRecallContractTest extends RecallContract {
    @Override
    protected ConversationStore newStore() {
        return TestDatabase.fresh();
    }

    @Override
    protected Recall newRecall(ConversationStore store) {
        return PostgresRecall.of((PostgresConversationStore) store);
    }
}
