package dev.palimpsest.engine;

import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.stream.Stream;

/** The stores the engine's tests run on: the engine must behave alike on every backend. */
enum Backends {
    MEMORY(dir -> new InMemoryConversationStore()),
    FILES(dir -> FileConversationStore.open(root(dir))),
    FILES_CHECKPOINTING_EVERY_CHANGE(dir -> FileConversationStore.open(root(dir),
            FileStoreOptions.DEFAULTS.checkpointingEveryChange()));

    private final Function<Path, ConversationStore> open;

    Backends(Function<Path, ConversationStore> open) {
        this.open = open;
    }

    ConversationStore open(Path dir) {
        return open.apply(dir);
    }

    private static Path root(Path dir) {
        try {
            return Files.createDirectories(dir.resolve("root"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Backends> all() {
        return Stream.of(values());
    }
}
