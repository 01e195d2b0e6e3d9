package dev.palimpsest.store.memory;

import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.contract.ConversationStoreContract;

/** The in-memory store passes the store contract; reopening hands back the same store. */
class InMemoryStoreContractTest extends ConversationStoreContract {
    @Override
    protected ConversationStore newStore() {
        return new InMemoryConversationStore();
    }

    @Override
    protected ConversationStore reopen(ConversationStore old) {
        // Nothing outlives the object, so "another process" sees the same object.
        return old;
    }
}
