package dev.palimpsest.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a consumer on the module path can and cannot reach: the exact exported packages of the
 * library's modules, the readability that the consumer's {@code requires} grant (and the modules
 * they keep unreadable), and the implementation denied to the compiler and to reflection: the
 * engine's {@code internal} package, which is not exported, and the file store's package-private
 * types and its file-operations seam, which are not public in its exported package.
 */
class ModuleBoundaryTest {
    private static final String MODEL = "dev.palimpsest.model";
    private static final String STORE = "dev.palimpsest.store";
    private static final String STORE_FILE = "dev.palimpsest.store.file";
    private static final String FORMAT = "dev.palimpsest.format";
    private static final String ENGINE = "dev.palimpsest.engine";
    private static final String ENGINE_INTERNAL = "dev.palimpsest.engine.internal";

    /** The exported packages of each library module on the consumer's module path. */
    private static final Map<String, Set<String>> API = Map.of(
            MODEL, Set.of("dev.palimpsest.model"),
            STORE, Set.of("dev.palimpsest.store", "dev.palimpsest.store.spi"),
            FORMAT, Set.of("dev.palimpsest.format"),
            STORE_FILE, Set.of("dev.palimpsest.store.file"),
            ENGINE, Set.of("dev.palimpsest.engine", "dev.palimpsest.engine.prompt"));

    private static Module module(String name) {
        return ModuleLayer.boot().findModule(name)
                .orElseThrow(() -> new AssertionError(name + " is not in the boot layer"));
    }

    private static Set<String> exports(String moduleName) {
        return module(moduleName).getDescriptor().exports().stream()
                .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet());
    }

    private static Module consumer() {
        return AgentMemory.class.getModule();
    }

    @Test
    void consumerRunsAsANamedModuleOnTheModulePath() {
        assertTrue(consumer().isNamed(), "the consumer must run as a named module");
        assertEquals("dev.palimpsest.consumer", consumer().getName());
        for (String name : API.keySet()) {
            assertTrue(module(name).isNamed(), name);
            assertFalse(module(name).getDescriptor().isAutomatic(), name + " is automatic");
        }
    }

    @Test
    void eachLibraryModuleExportsExactlyItsApi() {
        for (Map.Entry<String, Set<String>> api : API.entrySet()) {
            String name = api.getKey();
            ModuleDescriptor descriptor = module(name).getDescriptor();
            assertEquals(api.getValue(), exports(name), name);
            assertFalse(descriptor.isOpen(), name + " is an open module");
            assertTrue(descriptor.opens().isEmpty(), name + " opens " + descriptor.opens());
            assertTrue(descriptor.exports().stream().noneMatch(ModuleDescriptor.Exports::isQualified),
                    name + " exports to friends");
        }
    }

    @Test
    void theConsumersRequiresMakeTheApiReadableAndNothingMore() {
        // Directly, and through the engine's and the file store's `requires transitive`.
        for (String name : List.of(ENGINE, STORE_FILE, STORE, MODEL)) {
            assertTrue(consumer().canRead(module(name)), "cannot read " + name);
        }
        // The file store requires its formats and the formats Jackson without `transitive`.
        assertFalse(consumer().canRead(module(FORMAT)), "reads " + FORMAT);
        assertFalse(consumer().canRead(module("com.fasterxml.jackson.core")), "reads Jackson");
    }

    @Test
    void theConsumerReExportsTheEngineButNotTheFileStore() {
        Set<String> transitive = consumer().getDescriptor().requires().stream()
                .filter(r -> r.modifiers().contains(ModuleDescriptor.Requires.Modifier.TRANSITIVE))
                .map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
        assertEquals(Set.of(ENGINE), transitive);
        assertEquals(Set.of("dev.palimpsest.consumer"), exports("dev.palimpsest.consumer"));
    }

    @Test
    void theEngineInternalPackageIsNeitherExportedNorOpenToTheConsumer() {
        Module engine = module(ENGINE);
        assertTrue(engine.getPackages().contains(ENGINE_INTERNAL),
                "the package must exist to be hidden");
        assertFalse(engine.isExported(ENGINE_INTERNAL, consumer()));
        assertFalse(engine.isOpen(ENGINE_INTERNAL, consumer()));
        assertFalse(engine.isExported(ENGINE_INTERNAL));
    }

    @Test
    void reflectionIntoTheEngineInternalPackageIsDenied() throws Exception {
        // A public class with a public, harmless static method: only the module refuses.
        Class<?> internal = Class.forName(ENGINE_INTERNAL + ".BoundedCall");
        Method describe = internal.getMethod("describe", Duration.class);
        assertThrows(IllegalAccessException.class,
                () -> describe.invoke(null, Duration.ofSeconds(1)));
        assertThrows(InaccessibleObjectException.class, () -> describe.setAccessible(true));
    }

    @Test
    void reflectionIntoTheFileStoreImplementationIsDenied() throws Exception {
        // The file store's implementation shares its exported package but is not public, and the
        // package is not open: its types, and the seam that swaps its file operations (used by
        // its own fault-injection tests), stay out of reach.
        Class<?> nioFileOps = Class.forName(STORE_FILE + ".NioFileOps");
        Field instance = nioFileOps.getField("INSTANCE");
        assertThrows(IllegalAccessException.class, () -> instance.get(null));
        assertThrows(InaccessibleObjectException.class, () -> instance.setAccessible(true));

        Class<?> store = Class.forName(STORE_FILE + ".FileConversationStore");
        Method seam = store.getDeclaredMethod("open", Path.class,
                Class.forName(STORE_FILE + ".FileStoreOptions"),
                Class.forName(STORE_FILE + ".FileOps"));
        assertThrows(IllegalAccessException.class, () -> seam.invoke(null, null, null, null));
        assertThrows(InaccessibleObjectException.class, () -> seam.setAccessible(true));
    }

    @Test
    void sourceThatImportsTheEngineInternalPackageDoesNotCompile(@TempDir Path dir)
            throws IOException {
        Compilation failed = compile(dir, ENGINE + ", " + STORE_FILE,
                "Object call = " + ENGINE_INTERNAL + ".BoundedCall.class;");
        assertFalse(failed.succeeded(), "the compiler accepted the internal package:\n"
                + failed.diagnostics());
        assertTrue(failed.diagnostics().contains("is not visible")
                        || failed.diagnostics().contains("does not export"),
                "unexpected diagnostics:\n" + failed.diagnostics());
    }

    @Test
    void sourceThatNamesTheFileStoreImplementationDoesNotCompile(@TempDir Path dir)
            throws IOException {
        Compilation failed = compile(dir, ENGINE + ", " + STORE_FILE,
                "Object log = " + STORE_FILE + ".SegmentLog.class;");
        assertFalse(failed.succeeded(), "the compiler accepted a package-private type:\n"
                + failed.diagnostics());
        assertTrue(failed.diagnostics().contains("is not public"),
                "unexpected diagnostics:\n" + failed.diagnostics());
    }

    @Test
    void sourceThatNamesTheFileStoreFormatsDoesNotCompile(@TempDir Path dir) throws IOException {
        // Exported by its module, but readable only to the file store that requires it.
        Compilation failed = compile(dir, ENGINE + ", " + STORE_FILE,
                "Object codec = " + FORMAT + ".FormatCodec.class;");
        assertFalse(failed.succeeded(), "the compiler accepted an unread module:\n"
                + failed.diagnostics());
        assertTrue(failed.diagnostics().contains("is not visible")
                        || failed.diagnostics().contains("does not read"),
                "unexpected diagnostics:\n" + failed.diagnostics());
    }

    @Test
    void sourceThatUsesOnlyTheExportedApiCompiles(@TempDir Path dir) throws IOException {
        // The control for the tests above: the same set-up compiles a consumer of the API.
        Compilation compiled = compile(dir, ENGINE + ", " + STORE_FILE,
                "Object engine = dev.palimpsest.engine.ConversationEngine.class;\n"
                        + "Object format = dev.palimpsest.engine.prompt.OpenAiMessage.class;\n"
                        + "Object api = dev.palimpsest.store.ConversationStore.class;\n"
                        + "Object files = dev.palimpsest.store.file.FileConversationStore.class;\n"
                        + "Object call = dev.palimpsest.model.ToolCall.class;");
        assertTrue(compiled.succeeded(), compiled.diagnostics());
    }

    @Test
    void requiringTheConsumerGivesItsApiTypesButNotTheFileStore(@TempDir Path dir)
            throws IOException {
        // What the consumer's `requires transitive` promises its own callers: the engine's and
        // the model's types that AgentMemory's signatures name...
        Compilation compiled = compile(dir.resolve("api"), "dev.palimpsest.consumer",
                "Object memory = dev.palimpsest.consumer.AgentMemory.class;\n"
                        + "Object policy = dev.palimpsest.engine.CompactionPolicy.class;\n"
                        + "Object format = dev.palimpsest.engine.prompt.OpenAiMessage.class;\n"
                        + "Object message = dev.palimpsest.model.Message.class;");
        assertTrue(compiled.succeeded(), compiled.diagnostics());
        // ...and not the backend behind it, which it requires for itself only.
        Compilation failed = compile(dir.resolve("backend"), "dev.palimpsest.consumer",
                "Object files = dev.palimpsest.store.file.FileConversationStore.class;");
        assertFalse(failed.succeeded(), "the file store was readable:\n" + failed.diagnostics());
        assertTrue(failed.diagnostics().contains("is not visible")
                        || failed.diagnostics().contains("does not read"),
                "unexpected diagnostics:\n" + failed.diagnostics());
    }

    private record Compilation(boolean succeeded, String diagnostics) {
    }

    /**
     * Compiles module {@code probe}, which requires {@code requires} (comma-separated), with one
     * class holding {@code fields}, against this test's module path.
     */
    private static Compilation compile(Path dir, String requires, String fields)
            throws IOException {
        Path sources = dir.resolve("src");
        Files.createDirectories(sources.resolve("probe"));
        StringBuilder moduleInfo = new StringBuilder("module probe {\n");
        for (String name : requires.split(",")) {
            moduleInfo.append("    requires ").append(name.strip()).append(";\n");
        }
        moduleInfo.append("}\n");
        Files.writeString(sources.resolve("module-info.java"), moduleInfo,
                StandardCharsets.UTF_8);
        Files.writeString(sources.resolve("probe/Probe.java"),
                "package probe;\npublic class Probe {\n" + fields + "\n}\n",
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
