/**
 * The file store: {@link dev.palimpsest.store.file.FileConversationStore} and its
 * {@link dev.palimpsest.store.file.FileStoreOptions}. docs/durability.md tells what each write
 * promises; docs/format.md describes the files.
 */
package dev.palimpsest.store.file;
