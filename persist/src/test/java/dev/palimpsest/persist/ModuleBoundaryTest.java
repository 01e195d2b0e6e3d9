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
    void theImplementationIsOpenedOnlyToJacksonForItsFormatRecords() {
        assertEquals(1, descriptor.opens().size(), descriptor.opens().toString());
        ModuleDescriptor.Opens opens = descriptor.opens().iterator().next();
        assertEquals("dev.palimpsest.persist.internal", opens.source());
        assertEquals(Set.of("com.fasterxml.jackson.databind"), opens.targets());
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
