package dev.palimpsest.store.postgres;

import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.contract.ConversationStoreContract;

/**
 * The PostgreSQL store passes the store contract against a real server, each test in a schema
 * of its own, reopened as another host would open it (a new pool, nothing cached).
 */
class PostgresStoreContractTest extends ConversationStoreContract {
    @Override
    protected ConversationStore newStore() {
        return TestDatabase.fresh();
    }

    @Override
    protected ConversationStore reopen(ConversationStore old) {
        PostgresStoreOptions options = ((PostgresConversationStore) old).options();
        old.close();
        return TestDatabase.open(TestDatabase.server(), options.withMigrateOnOpen(false));
    }
}
