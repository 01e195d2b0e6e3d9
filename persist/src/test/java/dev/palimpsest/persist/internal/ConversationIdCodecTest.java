package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.persist.InvalidIdException;
import dev.palimpsest.testkit.Seeds;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConversationIdCodecTest {

    @Test
    void plainIdsMapToThemselves() {
        for (String id : new String[] {"a", "abc-1_X", "Z9", "_", "-", "-rf", "CON", "nul"}) {
            assertEquals(id, ConversationIdCodec.stem(id));
            assertEquals(Optional.of(id), ConversationIdCodec.decode(id));
        }
    }

    @Test
    void everyOtherUtf8ByteIsEscapedInUpperCaseHex() {
        assertEquals("a%2Fb", ConversationIdCodec.stem("a/b"));
        assertEquals("%2E%2E", ConversationIdCodec.stem(".."));
        assertEquals("%00", ConversationIdCodec.stem("\0"));
        assertEquals("%25", ConversationIdCodec.stem("%"));
        assertEquals("%20", ConversationIdCodec.stem(" "));
        assertEquals("%C3%BC", ConversationIdCodec.stem("ü"));
        assertEquals("%F0%9F%98%80", ConversationIdCodec.stem("\uD83D\uDE00"));
        assertEquals("%7E", ConversationIdCodec.stem("~"));
        assertEquals(Optional.of("a/b ü"), ConversationIdCodec.decode("a%2Fb%20%C3%BC"));
    }

    @Test
    void nonCanonicalOrForeignStemsDoNotDecode() {
        for (String stem : new String[] {"%41", "%2f", "%2", "%", "a.b", "a~b", "%C3", "%FF",
                "", "a/b", "%ZZ"}) {
            assertEquals(Optional.empty(), ConversationIdCodec.decode(stem), stem);
        }
    }

    @Test
    void rejectedIdsSayWhy() {
        assertTrue(assertThrows(InvalidIdException.class, () -> ConversationIdCodec.stem(""))
                .getMessage().contains("empty"));
        assertTrue(assertThrows(InvalidIdException.class,
                () -> ConversationIdCodec.stem("a\uD800b")).getMessage()
                .contains("unpaired surrogate"));
        assertTrue(assertThrows(InvalidIdException.class,
                () -> ConversationIdCodec.stem("\uDC00")).getMessage()
                .contains("unpaired surrogate"));
        assertTrue(assertThrows(InvalidIdException.class,
                () -> ConversationIdCodec.stem("x".repeat(1025))).getMessage()
                .contains("1024"));
        // 342 three-byte characters are 1,026 bytes, though only 342 chars.
        assertTrue(assertThrows(InvalidIdException.class,
                () -> ConversationIdCodec.stem("€".repeat(342))).getMessage()
                .contains("1026 bytes"));
        assertThrows(NullPointerException.class, () -> ConversationIdCodec.stem(null));
        ConversationIdCodec.stem("x".repeat(1024));
        ConversationIdCodec.stem("€".repeat(341));
    }

    @Test
    void longStemsAreHashedWithAReadablePrefixAndNeverCutAnEscape() {
        String plain180 = "a".repeat(180);
        assertEquals(plain180, ConversationIdCodec.stem(plain180));
        String long181 = "a".repeat(181);
        String hashed = ConversationIdCodec.stem(long181);
        assertEquals("a".repeat(110) + "~", hashed.substring(0, 111));
        assertEquals(111 + 64, hashed.length());
        assertEquals(Optional.empty(), ConversationIdCodec.decode(hashed));
        // An escape straddling byte 110 is dropped whole from the prefix.
        String id = "a".repeat(109) + "/".repeat(40);
        String stem = ConversationIdCodec.stem(id);
        assertEquals("a".repeat(109) + "~", stem.substring(0, 110));
        String id2 = "a".repeat(108) + "/".repeat(40);
        assertEquals("a".repeat(108) + "~", ConversationIdCodec.stem(id2).substring(0, 109));
        String id3 = "a".repeat(107) + "/".repeat(40);
        assertEquals("a".repeat(107) + "%2F~", ConversationIdCodec.stem(id3).substring(0, 111));
        assertNotEquals(ConversationIdCodec.stem(long181 + "b"), hashed);
    }

    @Test
    void everyDerivedNameStaysUnder255BytesAtTheLongestIds() {
        Random random = new Random(7);
        String[] ids = {"x".repeat(1024), "/".repeat(341), "€".repeat(341), "a".repeat(180),
                "%".repeat(60), "ü".repeat(30), "a".repeat(179) + "/"};
        for (String id : ids) {
            String stem = ConversationIdCodec.stem(id);
            for (String name : new String[] {ConversationIdCodec.stateName(stem),
                    ConversationIdCodec.archiveName(stem), ConversationIdCodec.lockName(stem),
                    ConversationIdCodec.tempName(stem, random.nextLong()),
                    ConversationIdCodec.stateName(stem) + ConversationIdCodec.QUARANTINE_INFIX
                            + "20261125T191200123Z-99"}) {
                assertTrue(name.getBytes(StandardCharsets.UTF_8).length < 255,
                        name.length() + " bytes: " + name);
            }
        }
    }

    @Test
    void fileNamesParseBackToTheirStem() {
        String stem = ConversationIdCodec.stem("a/b");
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfStateName(
                ConversationIdCodec.stateName(stem)));
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfTempName(
                ConversationIdCodec.tempName(stem, -1L)));
        assertEquals(Optional.of(stem), ConversationIdCodec.stemOfTempName(
                ConversationIdCodec.tempName(stem, 0L)));
        for (String name : new String[] {"conversation-.json", "conversation-a.jsonl",
                "conversation-a.archive.jsonl", "conversation-a.lock", "other-a.json",
                "conversation-a.b.json", "conversation-a.json.corrupt-20261125T000000000Z"}) {
            assertEquals(Optional.empty(), ConversationIdCodec.stemOfStateName(name), name);
        }
        for (String name : new String[] {"conversation-a.json.tmp", "notes.tmp",
                "conversation-a.json.0123456789ABCDEF.tmp", "conversation-a.json.0123.tmp",
                "conversation-.json.0123456789abcdef.tmp", "x-a.json.0123456789abcdef.tmp"}) {
            assertEquals(Optional.empty(), ConversationIdCodec.stemOfTempName(name), name);
        }
    }

    @Test
    void distinctIdsOfGeneratedTextNeverShareAStem() {
        Seeds.run("stems of generated ids", random -> {
            Map<String, String> seen = new HashMap<>();
            for (int i = 0; i < 20_000; i++) {
                String id = randomId(random);
                String stem;
                try {
                    stem = ConversationIdCodec.stem(id);
                } catch (InvalidIdException rejected) {
                    continue;
                }
                String before = seen.put(stem, id);
                assertTrue(before == null || before.equals(id),
                        () -> "'" + id + "' and another id share stem " + stem);
                if (!stem.contains("~")) {
                    assertEquals(Optional.of(id), ConversationIdCodec.decode(stem));
                } else {
                    assertFalse(ConversationIdCodec.decode(stem).isPresent());
                }
            }
        });
    }

    private static String randomId(Random random) {
        int length = random.nextInt(4) == 0 ? random.nextInt(400) : 1 + random.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            switch (random.nextInt(5)) {
                case 0 -> sb.append((char) ('a' + random.nextInt(3)));
                case 1 -> sb.append("%/._-~\\: ".charAt(random.nextInt(9)));
                case 2 -> sb.append((char) random.nextInt(0x80));
                case 3 -> sb.appendCodePoint(0x80 + random.nextInt(0x800));
                default -> sb.appendCodePoint(0x10000 + random.nextInt(0x100));
            }
        }
        return sb.toString();
    }
}
