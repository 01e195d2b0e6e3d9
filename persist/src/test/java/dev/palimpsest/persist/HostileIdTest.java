package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile conversation ids: each is rejected with {@link InvalidIdException} or stored in exactly
 * one file of its own directly under {@code <root>/sm/}, and nothing is written outside the root.
 */
class HostileIdTest {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");

    @TempDir
    Path top;

    /** Ids that can never be stored: empty, unpaired surrogates, over 1,024 UTF-8 bytes. */
    static List<String> rejectedIds() {
        return List.of("", "\uD800", "\uDFFF", "a\uD83D", "\uDE00a", "ok\uD800ok",
                "\uDC00\uD800", "x".repeat(1025), "/".repeat(1025), "€".repeat(342),
                "😀".repeat(257), "a".repeat(5000), "../".repeat(400), "\0".repeat(1025));
    }

    /** Ids that are stored, each in a file of its own. */
    static List<String> acceptedIds() {
        Set<String> ids = new LinkedHashSet<>();
        String[] traversal = {"..", "../", "../x", "../../etc/passwd", "..\\..\\windows",
            "./x", "a/../b", "a/./b", "....", ".../...", "..%2F..", "%2e%2e", "%2E%2E%2F",
            "..;/", "..\u2215x", "..\uFF0Fx", "\u2024\u2024/x", "sm/../../x", "x/..", "/..",
            "..\0", ".\0.", "%00", "%c0%ae%c0%ae/"};
        String[] absolute = {"/etc/passwd", "/", "//", "/tmp/x", "C:\\Windows\\win.ini",
            "C:", "c:/x", "\\\\server\\share", "\\\\?\\C:\\x", "file:///etc/passwd",
            "~/x", "~root", "/dev/null", "/proc/self/mem", "\\", "\\\\"};
        String[] separators = {"a/b", "a\\b", "a:b", "a|b", "a*b", "a?b", "a<b>", "a\"b",
            "a\tb", "a\nb", "a\rb", "a b", "a;b", "a,b", "a=b", "a&b", "a#b", "a$b", "a'b",
            "a`b", "a!b", "a@b", "a+b", "a{b}", "a[b]", "a(b)", "a%b", "a~b", "a^b"};
        String[] dots = {".", "...", ".hidden", "a.", "a.json", "a.lock", "a.tmp",
            "a.json.0123456789abcdef.tmp", "a.archive.jsonl", ".json", "conversation-a.json",
            "conversation-", "sm", "..json", "a..b", "x.corrupt-1"};
        String[] devices = {"CON", "PRN", "AUX", "NUL", "con", "nul", "Con", "CONIN$",
            "CONOUT$", "CLOCK$", "con.txt", "NUL.json", "aux.", "prn "};
        String[] control = {"\0", "a\0b", "\0abc", "\u0001", "\u001f", "\u007f", "\u0085",
            "\u2028", "\u2029", "\u200b", "\u200e", "\u202e", "\ufeff", "\ufffe", "\uffff",
            " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000"};
        String[] unicode = {"ü", "é", "e\u0301", "Ä", "A\u0308", "😀", "👨‍👩‍👧",
            "日本語", "עברית", "ﷺ", "ß", "SS", "ǅ", "İ", "i̇", "K", "\u212a", "Ω", "\u2126",
            "\uD83D\uDE00/\uD83D\uDE00", "\uDBFF\uDFFF", "\uD800\uDC00"};
        for (String[] group : new String[][] {traversal, absolute, separators, dots, devices,
            control, unicode}) {
            ids.addAll(List.of(group));
        }
        for (int i = 1; i <= 9; i++) {
            ids.add("COM" + i);
            ids.add("LPT" + i);
            ids.add("com" + i + ".log");
        }
        // Mixed-case twins: distinct ids, distinct files (a case-insensitive file system would
        // make them collide, which the stored id turns into IdCollisionException).
        for (String base : new String[] {"abc", "conv-id", "Session_1"}) {
            ids.add(base.toLowerCase(java.util.Locale.ROOT));
            ids.add(base.toUpperCase(java.util.Locale.ROOT));
            ids.add(Character.toUpperCase(base.charAt(0)) + base.substring(1));
        }
        // Long ids: at and around the 180-byte stem limit, and up to the 1,024-byte id limit.
        ids.add("a".repeat(180));
        ids.add("a".repeat(181));
        ids.add("a".repeat(179) + "/");
        ids.add("/".repeat(60));
        ids.add("/".repeat(61));
        ids.add("x".repeat(1024));
        ids.add("€".repeat(341));
        ids.add("😀".repeat(256));
        ids.add("../".repeat(341) + ".");
        ids.add("\0".repeat(1024));
        ids.add("a".repeat(110) + "~" + "0".repeat(64));
        return new ArrayList<>(ids);
    }

    @Test
    void everyHostileIdIsRejectedOrStoredInOneFileOfItsOwnUnderSm() throws IOException {
        Path root = top.resolve("root");
        Path outside = top.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("canary"), "do not touch");
        Files.writeString(top.resolve("passwd"), "root:x:0:0");
        Map<String, String> before = TreeSnapshot.of(top, root);

        List<String> rejected = rejectedIds();
        List<String> accepted = acceptedIds();
        assertTrue(rejected.size() + accepted.size() >= 200,
                "only " + (rejected.size() + accepted.size()) + " hostile ids");
        Set<Path> files = new HashSet<>();
        try (ConversationStore store = ConversationStore.open(root)) {
            for (String id : rejected) {
                InvalidIdException e = assertThrows(InvalidIdException.class,
                        () -> store.load(id), () -> "accepted '" + id + "'");
                assertTrue(e.getMessage().startsWith("invalid conversation id: "));
                if (!id.isEmpty() && !id.contains("\uD800") && id.chars()
                        .noneMatch(c -> Character.isSurrogate((char) c))) {
                    // Over-long ids are valid model values, so only the store can refuse them.
                    assertThrows(InvalidIdException.class, () -> store.save(conversation(id)));
                }
                assertThrows(InvalidIdException.class, () -> store.update(id, c -> c));
                assertThrows(InvalidIdException.class,
                        () -> store.appendArchive(id, List.of(round())));
                assertThrows(InvalidIdException.class, () -> store.delete(id));
                assertThrows(InvalidIdException.class, () -> store.stateFile(id));
            }
            for (String id : accepted) {
                Path file = store.stateFile(id);
                assertEquals(root.resolve("sm"), file.getParent(), id);
                assertTrue(files.add(file), () -> "two ids share " + file);
                Conversation saved = store.save(conversation(id));
                assertEquals(saved, store.load(id), id);
                store.appendArchive(id, List.of(round()));
                assertTrue(Files.isRegularFile(file), id);
                assertTrue(file.getFileName().toString().getBytes(StandardCharsets.UTF_8).length
                        < 255);
            }
            assertEquals(accepted.stream().sorted().toList(),
                    store.list().stream().map(ConversationSummary::convId).toList());
            for (String id : accepted) {
                assertTrue(store.delete(id), id);
            }
            assertTrue(store.check(false).isClean());
        }
        // Only the root changed; below it, only sm/ and the store's own lock files remain.
        assertEquals(before, TreeSnapshot.of(top, root));
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(List.of(root.resolve("sm")), left.toList());
        }
        try (Stream<Path> left = Files.list(root.resolve("sm"))) {
            assertTrue(left.allMatch(p -> p.getFileName().toString().endsWith(".lock")));
        }
    }

    private static Round round() {
        return new Round(1, "u", "a", T);
    }

    private static Conversation conversation(String id) {
        return Conversation.empty(id).withRoundAppended(round(), T);
    }
}
