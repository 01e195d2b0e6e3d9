package dev.palimpsest.doccheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MarkdownSnippetsTest {

    @Test
    void findsEveryFencedBlockWithItsLanguageLineAndMarker() {
        String markdown = """
                # Title

                ```sh
                $ palimpsest list
                ```

                <!-- snippet: not-run: it runs the build -->
                ```sh
                ./mvnw -B verify
                ```

                1. In a list:

                   ```json
                   {"a": 1}
                   ```

                ~~~
                plain
                ~~~
                <!-- snippet: exits 3 -->
                ````Java title
                class A {}
                ````
                """;
        List<Snippet> snippets = MarkdownSnippets.parse("doc.md", markdown);
        assertEquals(5, snippets.size(), snippets.toString());
        assertEquals(new Snippet("doc.md", 3, "sh", "$ palimpsest list\n", Optional.empty()),
                snippets.get(0));
        assertEquals(Optional.of(new Marker.NotRun("it runs the build")),
                snippets.get(1).marker());
        assertEquals("{\"a\": 1}\n", snippets.get(2).body(), "the fence's indentation is removed");
        assertEquals("", snippets.get(3).language());
        assertEquals("java", snippets.get(4).language());
        assertEquals(Optional.of(new Marker.Exits(3)), snippets.get(4).marker());
        assertEquals("doc.md:22", snippets.get(4).location());
    }

    @Test
    void aFenceInsideABlockIsContent() {
        List<Snippet> snippets = MarkdownSnippets.parse("doc.md",
                "````text\n```sh\nnot a block\n```\n````\n");
        assertEquals(1, snippets.size());
        assertEquals("```sh\nnot a block\n```\n", snippets.get(0).body());
    }

    @Test
    void aBlockLeftOpenIsAnError() {
        SnippetException e = assertThrows(SnippetException.class,
                () -> MarkdownSnippets.parse("doc.md", "text\n```sh\npalimpsest list\n"));
        assertTrue(e.getMessage().startsWith("doc.md:2: this code block is never closed"),
                e.getMessage());
    }

    @Test
    void aMarkerMustStandRightBeforeAFence() {
        for (String markdown : List.of("<!-- snippet: not-run: why -->\n\n```sh\nx\n```\n",
                "<!-- snippet: not-run: why -->\nprose\n",
                "text\n<!-- snippet: not-run: why -->\n")) {
            SnippetException e = assertThrows(SnippetException.class,
                    () -> MarkdownSnippets.parse("doc.md", markdown), markdown);
            assertTrue(e.getMessage().contains("right before"), e.getMessage());
        }
    }

    @Test
    void aMalformedMarkerIsAnError() {
        for (String marker : List.of("<!-- snippet: skip -->", "<!-- snippet: not-run: -->",
                "<!-- snippet: exits 300 -->", "<!-- snippet not-run: why -->",
                "<!-- snippet: not-run: why")) {
            assertThrows(SnippetException.class,
                    () -> MarkdownSnippets.parse("doc.md", marker + "\n```sh\nx\n```\n"), marker);
        }
    }

    @Test
    void markersQuotedInProseAndOtherCommentsAreNotMarkers() {
        List<Snippet> snippets = MarkdownSnippets.parse("doc.md",
                "Write `<!-- snippet: not-run: REASON -->` before it.\n<!-- a comment -->\n"
                        + "```text\nx\n```\n");
        assertEquals(Optional.empty(), snippets.get(0).marker());
    }
}
