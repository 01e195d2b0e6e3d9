package dev.palimpsest.store.file;

/** The store contract with the default options: large segments, rare checkpoints. */
class FileStoreDefaultsContractTest extends FileStoreContractTest {
    @Override
    FileStoreOptions options() {
        return FileStoreOptions.DEFAULTS;
    }
}
