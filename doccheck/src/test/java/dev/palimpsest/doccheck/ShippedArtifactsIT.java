package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The shipped modules (and only they) attach a sources jar that holds every main source file
 * and a javadoc jar that documents every exported package, as docs/embedding.md promises.
 */
class ShippedArtifactsIT {
    private static final List<String> SHIPPED = List.of("model", "store", "store-memory", "format",
            "store-file", "recall-lucene", "store-postgres", "engine", "summarizer-openai", "server",
            "cli");
    private static final List<String> NOT_SHIPPED = List.of("testkit", "consumer", "bench",
            "doccheck");

    private static Path repository() {
        return Path.of(DocumentationIT.property("palimpsest.repository")).toAbsolutePath()
                .normalize();
    }

    private static Path jar(String module, String classifier) {
        return repository().resolve(module).resolve("target").resolve("palimpsest-" + module
                + "-" + DocumentationIT.property("palimpsest.version") + classifier + ".jar");
    }

    private static Set<String> entries(Path jar) throws IOException {
        assertTrue(Files.isRegularFile(jar), "no " + jar);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            return zip.stream().map(ZipEntry::getName).collect(Collectors.toCollection(
                    TreeSet::new));
        }
    }

    @Test
    void eachShippedModuleAttachesItsSourcesAndItsJavadoc() throws IOException {
        assertEquals(Set.copyOf(SHIPPED), DocumentationIT.SHIPPED.stream()
                .map(artifact -> artifact.substring("palimpsest-".length()))
                .collect(Collectors.toSet()));
        for (String module : SHIPPED) {
            Path main = repository().resolve(module).resolve("src/main/java");
            Set<String> sources;
            try (Stream<Path> files = Files.walk(main)) {
                sources = files.filter(file -> file.toString().endsWith(".java"))
                        .map(file -> main.relativize(file).toString())
                        .collect(Collectors.toCollection(TreeSet::new));
            }
            Set<String> inJar = entries(jar(module, "-sources"));
            assertTrue(inJar.containsAll(sources), module + "'s sources jar lacks some of "
                    + sources);

            ModuleDescriptor descriptor = ModuleFinder.of(jar(module, "")).findAll().stream()
                    .map(ModuleReference::descriptor).findFirst().orElseThrow();
            Set<String> javadoc = entries(jar(module, "-javadoc"));
            assertTrue(javadoc.contains("index.html"), module + "'s javadoc jar has no index");
            assertTrue(javadoc.contains(descriptor.name() + "/module-summary.html"),
                    module + "'s javadoc jar does not document module " + descriptor.name());
            for (ModuleDescriptor.Exports exports : descriptor.exports()) {
                String page = descriptor.name() + "/" + exports.source().replace('.', '/')
                        + "/package-summary.html";
                assertTrue(javadoc.contains(page), module + "'s javadoc jar lacks " + page);
            }
        }
    }

    @Test
    void modulesThatDoNotShipAttachNothing() {
        for (String module : NOT_SHIPPED) {
            assertFalse(Files.exists(jar(module, "-sources")), module + " attaches sources");
            assertFalse(Files.exists(jar(module, "-javadoc")), module + " attaches javadoc");
        }
    }
}
