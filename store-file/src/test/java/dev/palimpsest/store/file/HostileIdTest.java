package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationIds;
import dev.palimpsest.store.Expectation;
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
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile conversation ids: each is rejected with {@code INVALID_INPUT} by every call, or stored
 * in files of its own directly under {@code <root>/sm/} (its log, checkpoint, index and lock),
 * listed under its own name, and deleted again; nothing is written outside the root.
 */
class HostileIdTest {
    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");
    /** Small preallocation and a checkpoint after every change: each id gets every file. */
    private static final FileStoreOptions OPTIONS = new FileStoreOptions(1, 1, 64 * 1024, 512,
            1 << 20);

    @TempDir
    Path top;

    /** Ids that can never be stored: empty, unpaired surrogates, over 1,024 UTF-8 bytes. */
    static List<String> rejectedIds() {
        return List.of("", "\uD800", "\uDFFF", "a\uD83D", "\uDE00a", "ok\uD800ok",
                "\uDC00\uD800", "x".repeat(1025), "/".repeat(1025), "€".repeat(342),
                "😀".repeat(257), "a".repeat(5000), "../".repeat(400), "\0".repeat(1025));
    }

    /** Ids that are stored, each in files of their own. */
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
        // The names of the store's own files, as ids: none may reach another id's files.
        String[] dots = {".", "...", ".hidden", "a.", "a.json", "a.lock", "a.tmp", "a.index",
            "a.00000001.log", "a.00000002.log", "a.json.0123456789abcdef.tmp",
            "a.archive.jsonl", ".json", "conversation-a.json", "conversation-a.00000001.log",
            "conversation-", "sm", "quarantine", "sm/quarantine", "..json", "a..b",
            "x.corrupt-1", "a%2E00000001", "a.1"};
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
        // Mixed-case twins: distinct ids, distinct files.
        for (String base : new String[] {"abc", "conv-id", "Session_1"}) {
            ids.add(base.toLowerCase(java.util.Locale.ROOT));
            ids.add(base.toUpperCase(java.util.Locale.ROOT));
            ids.add(Character.toUpperCase(base.charAt(0)) + base.substring(1));
        }
        // Long ids: at and around the 180-byte stem limit (beyond it the stem is hashed), and
        // up to the 1,024-byte id limit; a plain id that looks like a hashed stem.
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
        ids.add("a".repeat(110) + "%7E" + "0".repeat(64));
        return new ArrayList<>(ids);
    }

    private static AppendRequest round(String id) {
        return AppendRequest.of(id, Expectation.none(), T, Message.user("u " + id),
                Message.assistant("a"));
    }

    @Test
    void everyHostileIdIsRejectedOrStoredInFilesOfItsOwnDirectlyUnderSm() throws IOException {
        Path root = Files.createDirectory(top.resolve("root"));
        Path outside = Files.createDirectories(top.resolve("outside"));
        Files.writeString(outside.resolve("canary"), "do not touch");
        Files.writeString(top.resolve("passwd"), "root:x:0:0");
        Map<String, String> before = TreeSnapshot.of(top, root);

        List<String> rejected = rejectedIds();
        List<String> accepted = acceptedIds();
        assertTrue(rejected.size() + accepted.size() >= 200,
                "only " + (rejected.size() + accepted.size()) + " hostile ids");
        Path sm = root.resolve("sm");
        try (FileConversationStore store = FileConversationStore.open(root, OPTIONS)) {
            for (String id : rejected) {
                List<Executable> calls = List.of(() -> store.load(id),
                        () -> store.append(round(id)), () -> store.messages(id, 1, 10),
                        () -> store.rounds(id, 1, 10), () -> store.messageById(id, "m"),
                        () -> store.commitCompaction(new CompactionRequest(id, 0, 1, "c", 1, T)),
                        () -> store.recordCompactionFailure(id, T), () -> store.delete(id),
                        () -> store.checkpointFile(id));
                for (Executable call : calls) {
                    PalimpsestException e = assertThrows(PalimpsestException.class, call,
                            () -> "accepted '" + id + "'");
                    assertEquals(FailureKind.INVALID_INPUT, e.kind(), e.getMessage());
                }
            }
            Set<String> seen = new HashSet<>();
            for (String id : accepted) {
                Path checkpoint = store.checkpointFile(id);
                assertEquals(sm, checkpoint.getParent(), id);
                String stem = ConversationIdCodec.stem(id);
                List<String> names = List.of(ConversationIdCodec.stateName(stem),
                        ConversationIdCodec.segmentName(stem, 1),
                        ConversationIdCodec.indexName(stem), ConversationIdCodec.lockName(stem),
                        ConversationIdCodec.tempName(stem, -1L));
                for (String name : names) {
                    assertTrue(seen.add(name), () -> "two ids share " + name);
                    assertEquals(sm, sm.resolve(name).getParent(), name);
                    assertTrue(name.getBytes(StandardCharsets.UTF_8).length < 255, name);
                }
                store.append(round(id));
                assertEquals("u " + id, store.messages(id, 1, 10).get(0).message().content());
                assertEquals(1, store.load(id).orElseThrow().revision(), id);
                for (String name : names.subList(0, 2)) {
                    assertTrue(Files.isRegularFile(sm.resolve(name)), id + ": " + name);
                }
            }
            assertEquals(accepted.stream().sorted(ConversationIds.ORDER).toList(),
                    store.list(Optional.empty(), 10_000).ids());
            CheckReport report = store.check(false);
            assertTrue(report.clean(), report.toString());
            assertEquals(accepted.size(), report.conversations());
        }
        // Read back by a store without a cache: every id finds its own conversation.
        try (FileConversationStore store = FileConversationStore.open(root, OPTIONS)) {
            for (String id : accepted) {
                assertEquals("u " + id, store.messages(id, 1, 10).get(0).message().content());
                assertTrue(store.delete(id), id);
            }
            assertTrue(store.check(false).clean());
            assertEquals(List.of(), store.list(Optional.empty(), 10).ids());
        }
        // Only the root changed; below it, only sm/ and the store's own lock files remain.
        assertEquals(before, TreeSnapshot.of(top, root));
        try (Stream<Path> left = Files.list(root)) {
            assertEquals(List.of(sm), left.toList());
        }
        try (Stream<Path> left = Files.list(sm)) {
            List<String> names = left.map(p -> p.getFileName().toString()).toList();
            assertEquals(accepted.size(), names.size(), names.toString());
            assertTrue(names.stream().allMatch(n -> n.endsWith(".lock")), names.toString());
        }
    }
}
