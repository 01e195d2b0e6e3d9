package dev.palimpsest.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8ArgumentsTest {
    private static final Charset ASCII = StandardCharsets.US_ASCII;

    private static byte[] cmdline(String... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String entry : entries) {
            out.writeBytes(entry.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** What the JVM hands to main under an ASCII locale: each non-ASCII byte lost. */
    private static String asJvmDecodes(String arg) {
        return new String(arg.getBytes(StandardCharsets.UTF_8), ASCII);
    }

    @Test
    void argumentsLostToAnAsciiLocaleAreRecoveredFromTheRawCommandLine() {
        String[] lost = {asJvmDecodes("append"), asJvmDecodes("--user"), asJvmDecodes("café 🚀"),
                asJvmDecodes("会話")};
        byte[] raw = cmdline("/img/bin/java", "-Dx=1", "-m", "dev.palimpsest.cli/Main",
                "append", "--user", "café 🚀", "会話");
        assertArrayEquals(new String[] {"append", "--user", "café 🚀", "会話"},
                Utf8Arguments.recover(lost, raw, ASCII));
    }

    @Test
    void emptyArgumentsKeepTheirPlace() {
        byte[] raw = cmdline("java", "-m", "m/M", "append", "", "é");
        assertArrayEquals(new String[] {"append", "", "é"}, Utf8Arguments.recover(
                new String[] {"append", "", asJvmDecodes("é")}, raw, ASCII));
    }

    @Test
    void aCommandLineThatDoesNotMatchIsLeftAlone() {
        String[] args = {"show", asJvmDecodes("é")};
        assertArrayEquals(args, Utf8Arguments.recover(args, cmdline("java", "list", "é"), ASCII));
        assertArrayEquals(args, Utf8Arguments.recover(args, cmdline("é"), ASCII));
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedNotReplaced() {
        byte[] notUtf8 = {'s', 'h', 'o', 'w', 0, (byte) 0xE9, 0};
        String[] latin = {"show", new String(new byte[] {(byte) 0xE9}, ASCII)};
        CliException refused = assertThrows(CliException.class,
                () -> Utf8Arguments.recover(latin, notUtf8, ASCII));
        assertEquals(ExitCode.USAGE, refused.exitCode());
        assertTrue(refused.getMessage().contains("argument 2"), refused.getMessage());
        assertTrue(refused.getMessage().contains("e9"), refused.getMessage());
    }

    /**
     * Under a UTF-8 locale the JVM turns the ids {@code $'\xff'} and {@code $'\xfe'} into the
     * same U+FFFD: both must be refused, so they can never name one conversation.
     */
    @Test
    void twoInvalidIdsNeverBecomeOneUnderAUtf8Locale() {
        for (byte b : new byte[] {(byte) 0xFF, (byte) 0xFE}) {
            byte[] raw = {'j', 'a', 'v', 'a', 0, 's', 'h', 'o', 'w', 0, b, 0};
            String[] asJvm = {"show", "\uFFFD"};
            CliException refused = assertThrows(CliException.class,
                    () -> Utf8Arguments.recover(asJvm, raw, StandardCharsets.UTF_8));
            assertTrue(refused.getMessage().contains(String.format("%02x", b & 0xff)),
                    refused.getMessage());
        }
    }

    @Test
    void aGenuineReplacementCharacterIsKept() {
        String[] args = {"show", "a\uFFFDb"};
        byte[] raw = cmdline("java", "show", "a\uFFFDb");
        assertArrayEquals(args, Utf8Arguments.recover(args, raw, StandardCharsets.UTF_8));
    }
}
