package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleBoundaryTest {
    private final ModuleDescriptor descriptor =
            ConversationStore.class.getModule().getDescriptor();

    @Test
    void theModuleExportsExactlyTheApiPackageToEveryone() {
        assertTrue(ConversationStore.class.getModule().isNamed(), "tests run on the module path");
        assertEquals("dev.palimpsest.persist", descriptor.name());
        assertEquals(Set.of("dev.palimpsest.persist"), descriptor.exports().stream()
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
        descriptor.exports().forEach(e -> assertFalse(e.isQualified(), e.toString()));
    }

    @Test
    void nothingIsOpenedForReflection() {
        // The format is read and written with Jackson's streaming API: no reflection needed.
        assertEquals(Set.of(), descriptor.opens());
        assertFalse(descriptor.isOpen());
    }

    @Test
    void theStoreIsObtainedThroughTheApiWithoutNamingTheImplementation() throws Exception {
        try (ConversationStore store = ConversationStore.open(
                java.nio.file.Files.createTempDirectory(
                        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")), "boundary"))) {
            assertFalse(store.getClass().getPackageName().equals("dev.palimpsest.persist"));
            assertFalse(descriptor.exports().stream()
                    .anyMatch(e -> e.source().equals(store.getClass().getPackageName())));
        }
    }
}
