package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.palimpsest.testkit.Seeds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated ids, texts and metadata (any code point: controls, quotes, backslashes, every plane)
 * go in through the launcher's arguments and standard input and come back unchanged through its
 * JSON output. Prints its seed on failure; replay with {@code -Dpalimpsest.seed=N}.
 */
class GeneratedRoundTripTest {
    private static final int CONVERSATIONS = 12;
    /** Characters that JSON escapes or that shells and option parsers treat specially. */
    private static final String SPECIALS = "\"\\/'@-= ";

    @TempDir
    Path root;

    /** A string of random code points, weighted towards the characters JSON must escape. */
    private static String text(Random random, int maxLength, boolean allowEmpty) {
        int length = random.nextInt(maxLength) + (allowEmpty ? 0 : 1);
        StringBuilder sb = new StringBuilder();
        while (sb.codePointCount(0, sb.length()) < length) {
            int cp = switch (random.nextInt(6)) {
                case 0 -> random.nextInt(0x20);                       // controls, incl. NUL, \n
                case 1 -> SPECIALS.codePointAt(random.nextInt(SPECIALS.length()));
                case 2 -> 0x20 + random.nextInt(0x5f);                // printable ASCII
                case 3 -> 0xa0 + random.nextInt(0xd7ff - 0xa0);       // BMP below surrogates
                case 4 -> 0xe000 + random.nextInt(0x10000 - 0xe000);  // BMP above surrogates
                default -> 0x10000 + random.nextInt(0x10ffff - 0x10000); // supplementary planes
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static List<Map<String, String>> rounds(String json) {
        List<Map<String, String>> rounds = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            Map<String, String> current = null;
            int depth = 0;
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.START_OBJECT && ++depth == 1) {
                    current = new TreeMap<>();
                    rounds.add(current);
                } else if (token == JsonToken.END_OBJECT) {
                    depth--;
                } else if (token.isScalarValue()) {
                    String prefix = depth == 2 ? "meta:" : "";
                    current.put(prefix + parser.currentName(), parser.getText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return rounds;
    }

    @Test
    void anyTextRoundTripsThroughArgumentsStandardInputAndJson() {
        Seeds.run("round trip of generated texts", random -> {
            java.util.Set<String> ids = new java.util.HashSet<>();
            for (int c = 0; c < CONVERSATIONS; c++) {
                // Each conversation once: a short id drawn twice would hold two rounds.
                String id = text(random, 12, false);
                while (!ids.add(id)) {
                    id = text(random, 12, false);
                }
                String user = text(random, 40, true);
                String assistant = text(random, 40, true);
                String key = text(random, 6, false).replace("=", "");
                String value = text(random, 10, true);
                if (key.isEmpty()) {
                    key = "k";
                }
                LauncherRun.with(Map.of(), assistant, "--root", root.toString(), "append",
                        "--user", user, "--assistant-file", "-", "--meta", key + "=" + value,
                        "--", id).expect(0);
                // One message per line: the user's (with the metadata), then the assistant's.
                List<Map<String, String>> back = rounds(LauncherRun.inRoot(root, "transcript",
                        "--jsonl", "--", id).expect(0).out());
                assertEquals(2, back.size(), id);
                assertEquals("user", back.get(0).get("role"));
                assertEquals(user, back.get(0).get("content"));
                assertEquals(value, back.get(0).get("meta:" + key));
                assertEquals("assistant", back.get(1).get("role"));
                assertEquals(assistant, back.get(1).get("content"));
                List<Map<String, String>> messages = rounds(LauncherRun.inRoot(root, "context",
                        "--format", "messages", "--", id).expect(0).out());
                assertEquals(Map.of("role", "user", "content", user), messages.get(0));
                assertEquals(Map.of("role", "assistant", "content", assistant), messages.get(1));
            }
        });
    }
}
