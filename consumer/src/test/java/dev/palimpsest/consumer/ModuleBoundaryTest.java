package dev.palimpsest.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.persist.StoreOptions;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a consumer on the module path can and cannot reach: the exact exported packages of the
 * library's modules, the readability that {@code requires dev.palimpsest.engine} grants, and the
 * store's implementation package denied to the compiler and to reflection.
 */
class ModuleBoundaryTest {
    private static final String INTERNAL = "dev.palimpsest.persist.internal";

    private static Module module(String name) {
        return ModuleLayer.boot().findModule(name)
                .orElseThrow(() -> new AssertionError(name + " is not in the boot layer"));
    }

    private static Set<String> exports(String moduleName) {
        return module(moduleName).getDescriptor().exports().stream()
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    }

    @Test
    void consumerRunsAsANamedModuleOnTheModulePath() {
        Module consumer = AgentMemory.class.getModule();
        assertTrue(consumer.isNamed(), "the consumer must run as a named module");
        assertEquals("dev.palimpsest.consumer", consumer.getName());
        assertTrue(module("dev.palimpsest.persist").isNamed());
    }

    @Test
    void eachLibraryModuleExportsExactlyItsApi() {
        assertEquals(Set.of("dev.palimpsest.core"), exports("dev.palimpsest.core"));
        assertEquals(Set.of("dev.palimpsest.persist"), exports("dev.palimpsest.persist"));
        assertEquals(Set.of("dev.palimpsest.engine", "dev.palimpsest.engine.summarizer"),
                exports("dev.palimpsest.engine"));
        for (String name : List.of("dev.palimpsest.core", "dev.palimpsest.persist",
                "dev.palimpsest.engine")) {
            assertFalse(module(name).getDescriptor().isOpen(), name + " is an open module");
            assertTrue(module(name).getDescriptor().exports().stream()
                    .noneMatch(ModuleDescriptor.Exports::isQualified), name + " exports to friends");
        }
        assertTrue(module("dev.palimpsest.core").getDescriptor().opens().isEmpty());
        assertTrue(module("dev.palimpsest.engine").getDescriptor().opens().isEmpty());
        // The store may open its implementation for deep reflection, but only to Jackson.
        for (ModuleDescriptor.Opens opens : module("dev.palimpsest.persist").getDescriptor()
                .opens()) {
            assertEquals(Set.of("com.fasterxml.jackson.databind"), opens.targets(),
                    "persist opens " + opens.source() + " to " + opens.targets());
        }
    }

    @Test
    void requiringTheEngineMakesStoreAndModelReadable() {
        Module consumer = AgentMemory.class.getModule();
        assertTrue(consumer.canRead(module("dev.palimpsest.engine")));
        assertTrue(consumer.canRead(module("dev.palimpsest.persist")));
        assertTrue(consumer.canRead(module("dev.palimpsest.core")));
    }

    @Test
    void theStoreImplementationPackageIsNeitherExportedNorOpenToTheConsumer() {
        Module persist = module("dev.palimpsest.persist");
        Module consumer = AgentMemory.class.getModule();
        assertTrue(persist.getPackages().contains(INTERNAL), "the package must exist to be hidden");
        assertFalse(persist.isExported(INTERNAL, consumer));
        assertFalse(persist.isOpen(INTERNAL, consumer));
        assertFalse(persist.isExported(INTERNAL));
    }

    @Test
    void reflectionIntoTheStoreImplementationIsDenied() throws Exception {
        Class<?> implementation = Class.forName(INTERNAL + ".FileConversationStore");
        Method open = implementation.getMethod("open", StoreOptions.class);
        assertThrows(IllegalAccessException.class,
                () -> open.invoke(null, StoreOptions.builder(Path.of("unused")).build()));
        assertThrows(InaccessibleObjectException.class, () -> open.setAccessible(true));
    }

    @Test
    void sourceThatImportsTheStoreImplementationDoesNotCompile(@TempDir Path dir)
            throws IOException {
        String internalUse = "package probe;\n"
                + "public class Probe {\n"
                + "    Object store = " + INTERNAL + ".FileConversationStore.class;\n"
                + "}\n";
        Compilation failed = compile(dir.resolve("internal"), internalUse);
        assertFalse(failed.succeeded(), "the compiler accepted the internal package:\n"
                + failed.diagnostics());
        assertTrue(failed.diagnostics().contains("is not visible")
                        || failed.diagnostics().contains("does not export"),
                "unexpected diagnostics:\n" + failed.diagnostics());
    }

    @Test
    void sourceThatUsesOnlyTheExportedApiCompiles(@TempDir Path dir) throws IOException {
        // The control for the test above: the same set-up compiles a consumer of the API.
        String apiUse = "package probe;\n"
                + "public class Probe {\n"
                + "    Object store = dev.palimpsest.persist.ConversationStore.class;\n"
                + "    Object engine = dev.palimpsest.engine.ConversationEngine.class;\n"
                + "    Object round = dev.palimpsest.core.Round.class;\n"
                + "}\n";
        Compilation compiled = compile(dir.resolve("api"), apiUse);
        assertTrue(compiled.succeeded(), compiled.diagnostics());
    }

    private record Compilation(boolean succeeded, String diagnostics) {
    }

    /** Compiles module {@code probe} (requires the engine) against this test's module path. */
    private static Compilation compile(Path dir, String probeSource) throws IOException {
        Path sources = dir.resolve("src");
        Files.createDirectories(sources.resolve("probe"));
        Files.writeString(sources.resolve("module-info.java"),
                "module probe { requires dev.palimpsest.engine; }\n", StandardCharsets.UTF_8);
        Files.writeString(sources.resolve("probe/Probe.java"), probeSource,
                StandardCharsets.UTF_8);
        String modulePath = System.getProperty("jdk.module.path");
        assertTrue(modulePath != null && !modulePath.isEmpty(), "no module path");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        StringWriter diagnostics = new StringWriter();
        boolean ok = javac.getTask(diagnostics, null, null,
                List.of("--module-path", modulePath, "-d", dir.resolve("out").toString()),
                null, javac.getStandardFileManager(null, null, StandardCharsets.UTF_8)
                        .getJavaFileObjects(sources.resolve("module-info.java"),
                                sources.resolve("probe/Probe.java")))
                .call();
        return new Compilation(ok, diagnostics.toString());
    }
}
