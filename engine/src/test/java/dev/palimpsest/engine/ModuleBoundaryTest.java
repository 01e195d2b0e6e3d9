package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ModuleBoundaryTest {
    private final ModuleDescriptor descriptor =
            ConversationEngine.class.getModule().getDescriptor();

    @Test
    void theModuleExportsExactlyTheApiAndTheSummarizers() {
        assertEquals("dev.palimpsest.engine", descriptor.name());
        Set<String> exported = descriptor.exports().stream()
                .filter(e -> !e.isQualified())
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
        assertEquals(Set.of("dev.palimpsest.engine", "dev.palimpsest.engine.summarizer"),
                exported);
        assertTrue(descriptor.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified));
    }

    @Test
    void theModelAndTheStoreAreRequiredTransitivelyAndJacksonIsNot() {
        Set<String> transitive = descriptor.requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertEquals(Set.of("dev.palimpsest.core", "dev.palimpsest.persist"), transitive);
        assertTrue(descriptor.requires().stream()
                .anyMatch(r -> r.name().equals("com.fasterxml.jackson.databind")));
    }
}
