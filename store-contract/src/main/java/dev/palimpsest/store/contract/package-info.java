/**
 * The contract suite: {@link dev.palimpsest.store.contract.ConversationStoreContract}, which a
 * backend's test extends with a factory of fresh stores and a way to reopen one.
 */
package dev.palimpsest.store.contract;
