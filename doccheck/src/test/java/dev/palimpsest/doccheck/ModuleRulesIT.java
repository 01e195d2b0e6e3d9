package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The rule of docs/architecture.md, read from the module descriptors of the built jars: which
 * module may see Jackson, JDBC or HTTP. A module that starts to require one of them without
 * being allowed to fails this test, however it got there.
 */
class ModuleRulesIT {
    /** Module directory to the families of third-party or JDK modules it may require. */
    private static final Map<String, Set<Family>> ALLOWED = Map.ofEntries(
            Map.entry("model", Set.of()),
            Map.entry("store", Set.of()),
            Map.entry("store-memory", Set.of()),
            Map.entry("format", Set.of(Family.JACKSON)),
            Map.entry("store-file", Set.of()),
            Map.entry("recall-lucene", Set.of(Family.LUCENE)),
            Map.entry("store-postgres", Set.of(Family.JDBC)),
            Map.entry("engine", Set.of()),
            Map.entry("summarizer-openai", Set.of(Family.JACKSON, Family.HTTP)),
            Map.entry("server", Set.of(Family.JACKSON, Family.HTTP)),
            Map.entry("cli", Set.of(Family.JACKSON, Family.PICOCLI)));

    /** What a module may require, by family. */
    private enum Family {
        JACKSON(n -> n.startsWith("com.fasterxml.jackson.")),
        JDBC(n -> n.equals("java.sql") || n.startsWith("org.postgresql")),
        HTTP(n -> n.equals("java.net.http") || n.equals("jdk.httpserver")),
        PICOCLI(n -> n.equals("info.picocli")),
        LUCENE(n -> n.startsWith("org.apache.lucene"));

        private final Predicate<String> matches;

        Family(Predicate<String> matches) {
            this.matches = matches;
        }
    }

    private static Path jar(String module) {
        Path jar = Path.of(DocumentationIT.property("palimpsest.repository")).toAbsolutePath()
                .normalize().resolve(module).resolve("target").resolve("palimpsest-" + module
                        + "-" + DocumentationIT.property("palimpsest.version") + ".jar");
        assertTrue(Files.isRegularFile(jar), "built jar " + jar);
        return jar;
    }

    private static ModuleDescriptor descriptor(String module) {
        return ModuleFinder.of(jar(module)).findAll().iterator().next().descriptor();
    }

    private static Set<String> requires(ModuleDescriptor d) {
        return d.requires().stream().map(ModuleDescriptor.Requires::name)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void onlyTheModulesAllowedToRequireJacksonJdbcOrHttpDo() {
        List<String> broken = new ArrayList<>();
        for (Map.Entry<String, Set<Family>> rule : ALLOWED.entrySet()) {
            for (String required : requires(descriptor(rule.getKey()))) {
                for (Family family : Family.values()) {
                    if (family.matches.test(required) && !rule.getValue().contains(family)) {
                        broken.add(rule.getKey() + " requires " + required + " (" + family
                                + ", not allowed there)");
                    }
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void thePostgresStoreReachesItsDriverOnlyThroughJdbc() {
        // The driver has no module descriptor: naming it would make the module unusable from
        // the module path and the image. java.sql is the whole of what the store may see.
        assertEquals(Set.of("java.base", "java.sql", "dev.palimpsest.store",
                "dev.palimpsest.format"), requires(descriptor("store-postgres")));
        // Nor any class of it by name, however reached (a class file names each type it uses).
        Path jar = jar("store-postgres");
        List<String> naming = new ArrayList<>();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
            for (java.util.zip.ZipEntry e : java.util.Collections.list(zip.entries())) {
                if (e.getName().endsWith(".class")) {
                    String bytes = new String(zip.getInputStream(e).readAllBytes(),
                            java.nio.charset.StandardCharsets.ISO_8859_1);
                    if (bytes.contains("org/postgresql") || bytes.contains("org.postgresql")) {
                        naming.add(e.getName());
                    }
                }
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(List.of(), naming, "classes naming the driver");
    }

    @Test
    void theModelTheStoreApiAndTheEngineNeedNothingButJavaBaseAndEachOther() {
        for (String module : List.of("model", "store", "store-memory", "engine")) {
            for (String required : requires(descriptor(module))) {
                assertTrue(required.equals("java.base") || required.startsWith("dev.palimpsest."),
                        module + " requires " + required);
            }
        }
        assertEquals(Set.of("java.base", "dev.palimpsest.store"),
                requires(descriptor("engine")));
    }
}
