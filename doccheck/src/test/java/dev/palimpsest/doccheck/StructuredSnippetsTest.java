package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StructuredSnippetsTest {
    private static final Set<String> SHIPPED = Set.of("palimpsest-engine", "palimpsest-core");

    @Test
    void oneJsonValueParses() {
        assertEquals(List.of(), StructuredSnippets.checkJson("{\n  \"max_rounds\": 40\n}\n"));
        assertEquals(List.of(), StructuredSnippets.checkJson("[1, \"two\", null]"));
    }

    @Test
    void invalidJsonDuplicateKeysAndASecondValueFail() {
        assertTrue(StructuredSnippets.checkJson("{\"a\": 1,}").get(0).startsWith("not valid JSON"));
        assertTrue(StructuredSnippets.checkJson("{\"a\": 1, \"a\": 2}").get(0)
                .contains("Duplicate field 'a'"));
        assertTrue(StructuredSnippets.checkJson("{} {}").get(0).startsWith("more than one"));
        assertEquals(List.of("an empty json block"), StructuredSnippets.checkJson("\n"));
    }

    @Test
    void aDependencyOnTheProjectNamesAShippedArtifactAtTheProjectsVersion() {
        String dependency = "<dependency>\n  <groupId>dev.palimpsest</groupId>\n"
                + "  <artifactId>%s</artifactId>\n  <version>%s</version>\n</dependency>\n";
        assertEquals(List.of(), StructuredSnippets.checkXml(
                String.format(dependency, "palimpsest-engine", "0.2.0"), SHIPPED, "0.2.0"));
        List<String> stale = StructuredSnippets.checkXml(
                String.format(dependency, "palimpsest-engine", "0.1.0"), SHIPPED, "0.2.0");
        assertEquals(List.of("the dependency on dev.palimpsest:palimpsest-engine has version "
                + "'0.1.0', but the poms say 0.2.0"), stale);
        List<String> internal = StructuredSnippets.checkXml(
                String.format(dependency, "palimpsest-testkit", "0.2.0"), SHIPPED, "0.2.0");
        assertTrue(internal.get(0).contains("names no shipped artifact"), internal.toString());
    }

    @Test
    void otherDependenciesAreOnlyParsedAndMalformedXmlFails() {
        assertEquals(List.of(), StructuredSnippets.checkXml("<dependencies><dependency>"
                + "<groupId>org.example</groupId><artifactId>x</artifactId></dependency>"
                + "</dependencies>", SHIPPED, "0.2.0"));
        assertTrue(StructuredSnippets.checkXml("<dependency><groupId>x</dependency>", SHIPPED,
                "0.2.0").get(0).startsWith("not well-formed XML"));
        assertTrue(StructuredSnippets.checkXml("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/"
                + "passwd\">]><x>&e;</x>", SHIPPED, "0.2.0").get(0)
                .startsWith("not well-formed XML"), "no document type, no external entity");
    }
}
