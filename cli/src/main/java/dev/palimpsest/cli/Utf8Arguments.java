package dev.palimpsest.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Recovers command-line arguments that the JVM decoded with a non-UTF-8 platform charset.
 *
 * <p>The JVM decodes {@code argv} with {@code sun.jnu.encoding}, which follows the C locale and
 * cannot be overridden on the command line; under a POSIX locale it is ASCII and every
 * non-ASCII character becomes U+FFFD before {@code main} runs. The image's launcher script runs
 * the JVM under a UTF-8 locale where one exists; where none does (or the JVM is started some
 * other way), the raw bytes are still in {@code /proc/self/cmdline} on Linux, and the arguments
 * are decoded again from there as UTF-8.
 */
final class Utf8Arguments {
    private Utf8Arguments() {
    }

    /**
     * Returns the arguments decoded strictly as UTF-8 from their raw bytes where the JVM may have
     * decoded them otherwise: always when the platform charset is not UTF-8, and when an
     * argument holds U+FFFD (what the JVM makes of bytes that are not UTF-8); otherwise the
     * arguments unchanged.
     *
     * @param args the arguments as the JVM decoded them
     * @return the arguments, decoded as UTF-8 where that was possible
     * @throws CliException (exit 2) if an argument's bytes are not valid UTF-8: two different
     *                      invalid ids must not become the same replaced string
     */
    static String[] recover(String[] args) {
        Charset platform = platformCharset();
        if (args.length == 0
                || platform.equals(StandardCharsets.UTF_8) && !anyReplacement(args)) {
            return args;
        }
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | RuntimeException notLinux) {
            return args;
        }
        return recover(args, cmdline, platform);
    }

    /**
     * Decodes the last {@code args.length} NUL-terminated entries of {@code cmdline} as UTF-8,
     * provided they are the arguments (not JVM options): each entry that is valid UTF-8 must be,
     * decoded with {@code platform}, the argument the JVM produced, and each that is not must
     * stand where the JVM produced a replacement character.
     *
     * @throws CliException (exit 2) naming the first argument whose bytes are not UTF-8
     */
    static String[] recover(String[] args, byte[] cmdline, Charset platform) {
        List<byte[]> entries = split(cmdline);
        if (entries.size() < args.length) {
            return args;
        }
        String[] recovered = new String[args.length];
        int first = entries.size() - args.length;
        int invalid = -1;
        for (int i = 0; i < args.length; i++) {
            byte[] raw = entries.get(first + i);
            try {
                recovered[i] = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(raw)).toString();
                if (!new String(raw, platform).equals(args[i])) {
                    return args; // not aligned with the arguments: leave them as they are
                }
            } catch (CharacterCodingException notUtf8) {
                if (args[i].indexOf(REPLACEMENT) < 0 && platform.equals(StandardCharsets.UTF_8)) {
                    return args;
                }
                if (invalid < 0) {
                    invalid = i;
                }
            }
        }
        if (invalid >= 0) {
            throw CliException.usage("argument " + (invalid + 1) + " ("
                    + Text.quote(args[invalid]) + ", bytes " + hex(entries.get(first + invalid))
                    + ") is not valid UTF-8; ids and texts must be UTF-8");
        }
        return recovered;
    }

    private static final char REPLACEMENT = '\uFFFD';

    private static boolean anyReplacement(String[] args) {
        for (String arg : args) {
            if (arg.indexOf(REPLACEMENT) >= 0) {
                return true;
            }
        }
        return false;
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(bytes.length, 32);
        for (int i = 0; i < shown; i++) {
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.append(bytes.length > shown ? "..." : "").toString();
    }

    private static List<byte[]> split(byte[] cmdline) {
        List<byte[]> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                entries.add(java.util.Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        return entries;
    }

    private static Charset platformCharset() {
        String name = System.getProperty("sun.jnu.encoding");
        try {
            return name == null ? Charset.defaultCharset() : Charset.forName(name);
        } catch (RuntimeException unknown) {
            return Charset.defaultCharset();
        }
    }
}
