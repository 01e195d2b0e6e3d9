package dev.palimpsest.store.file;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.ConversationIds;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * Maps conversation ids to file-name stems and back, and derives every file name from a stem.
 *
 * <p>Ids made only of {@code [A-Za-z0-9_-]} map to themselves; every other UTF-8 byte becomes
 * {@code %XX} (upper-case hex). Because {@code %} never stays unescaped, the mapping is injective
 * and reversible. A stem over {@value #MAX_PLAIN_STEM_BYTES} bytes becomes a readable prefix of at
 * most {@value #HASHED_PREFIX_BYTES} bytes, {@code ~}, and the SHA-256 of the whole id in hex, so
 * that every derived name stays under 255 bytes. Stems never hold a dot, a slash or a NUL, so a
 * stem can never name anything but one file directly inside {@code sm/}.
 */
final class ConversationIdCodec {
    /** The largest id accepted, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 1024;
    /** The longest stem kept as is (and so reversible). */
    public static final int MAX_PLAIN_STEM_BYTES = 180;
    /** The longest readable prefix of a hashed stem. */
    public static final int HASHED_PREFIX_BYTES = 110;

    static final String PREFIX = "conversation-";
    static final String STATE_SUFFIX = ".json";
    static final String ARCHIVE_SUFFIX = ".archive.jsonl";
    static final String LOCK_SUFFIX = ".lock";
    static final String INDEX_SUFFIX = ".index";
    static final String ID_INDEX_SUFFIX = ".ids";
    static final String TEMP_SUFFIX = ".tmp";
    /** A temp name is the state name, a dot, this many hex digits, and {@link #TEMP_SUFFIX}. */
    static final int TEMP_RANDOM_HEX = 16;
    static final String QUARANTINE_INFIX = ".corrupt-";

    private static final HexFormat HEX_UPPER = HexFormat.of().withUpperCase();

    private ConversationIdCodec() {
    }

    /**
     * Validates an id and returns its stem.
     *
     * @param convId the id
     * @return the stem
     * @throws PalimpsestException INVALID_INPUT if the id is empty, holds an unpaired surrogate or is too long
     */
    public static String stem(String convId) {
        byte[] utf8 = utf8(convId);
        StringBuilder sb = new StringBuilder(utf8.length + 16);
        for (byte b : utf8) {
            if (isPlain(b)) {
                sb.append((char) b);
            } else {
                sb.append('%').append(HEX_UPPER.toHexDigits(b));
            }
        }
        if (sb.length() <= MAX_PLAIN_STEM_BYTES) {
            return sb.toString();
        }
        int cut = Math.min(HASHED_PREFIX_BYTES, sb.length());
        // Never cut an escape in half: the prefix is for humans, and "%4" would read as garbage.
        if (cut >= 1 && sb.charAt(cut - 1) == '%') {
            cut -= 1;
        } else if (cut >= 2 && sb.charAt(cut - 2) == '%') {
            cut -= 2;
        }
        return sb.substring(0, cut) + "~" + sha256Hex(utf8);
    }

    /**
     * Returns the id an unhashed stem stands for.
     *
     * @param stem a stem as {@link #stem} makes them
     * @return the id, or empty if the stem is hashed or is not one {@link #stem} could make
     */
    public static Optional<String> decode(String stem) {
        if (stem.isEmpty() || stem.length() > MAX_PLAIN_STEM_BYTES) {
            return Optional.empty();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(stem.length());
        for (int i = 0; i < stem.length(); i++) {
            char c = stem.charAt(i);
            if (c < 0x80 && isPlain((byte) c)) {
                bytes.write(c);
            } else if (c == '%' && i + 2 < stem.length() && isUpperHex(stem.charAt(i + 1))
                    && isUpperHex(stem.charAt(i + 2))) {
                bytes.write(HexFormat.fromHexDigits(stem, i + 1, i + 3));
                i += 2;
            } else {
                return Optional.empty();
            }
        }
        try {
            String id = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            // Only canonical stems decode: "%41" is not a stem of "A", which maps to "A".
            return stem.equals(stem(id)) ? Optional.of(id) : Optional.empty();
        } catch (CharacterCodingException | PalimpsestException e) {
            return Optional.empty();
        }
    }

    /**
     * Validates an id: not empty, no unpaired surrogate, at most {@value #MAX_ID_BYTES} UTF-8
     * bytes.
     *
     * @param convId the id
     * @return its UTF-8 bytes
     */
    static byte[] utf8(String convId) {
        return ConversationIds.check(convId).getBytes(StandardCharsets.UTF_8);
    }

    /** The suffix of a log segment: a dot, eight digits, {@code .log}. */
    static final String SEGMENT_SUFFIX = ".log";
    static final int SEGMENT_DIGITS = 8;

    /** Returns the name of log segment {@code segment} (from 1) of a stem. */
    static String segmentName(String stem, long segment) {
        // Padded by hand: String.format cost every append about 1 µs here.
        String digits = Long.toString(segment);
        StringBuilder name = new StringBuilder(PREFIX.length() + stem.length() + 1
                + Math.max(SEGMENT_DIGITS, digits.length()) + SEGMENT_SUFFIX.length());
        name.append(PREFIX).append(stem).append('.');
        for (int i = digits.length(); i < SEGMENT_DIGITS; i++) {
            name.append('0');
        }
        return name.append(digits).append(SEGMENT_SUFFIX).toString();
    }

    /** The stem and segment number of a segment file name, if it is one. */
    static Optional<Map.Entry<String, Long>> stemAndSegmentOf(String fileName) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(SEGMENT_SUFFIX)) {
            return Optional.empty();
        }
        int end = fileName.length() - SEGMENT_SUFFIX.length();
        int dot = end - SEGMENT_DIGITS - 1;
        if (dot <= PREFIX.length() || fileName.charAt(dot) != '.') {
            return Optional.empty();
        }
        long n = 0;
        for (int i = dot + 1; i < end; i++) {
            char c = fileName.charAt(i);
            if (c < '0' || c > '9') {
                return Optional.empty();
            }
            n = n * 10 + (c - '0');
        }
        if (n < 1) {
            return Optional.empty();
        }
        return Optional.of(Map.entry(fileName.substring(PREFIX.length(), dot), n));
    }

    /** Returns the state file name of a stem. */
    static String stateName(String stem) {
        return PREFIX + stem + STATE_SUFFIX;
    }

    /** Returns the archive file name of a stem. */
    static String archiveName(String stem) {
        return PREFIX + stem + ARCHIVE_SUFFIX;
    }

    /** Returns the sparse index file name of a stem. */
    static String indexName(String stem) {
        return PREFIX + stem + INDEX_SUFFIX;
    }

    /** Returns the message-id index file name of a stem. */
    static String idIndexName(String stem) {
        return PREFIX + stem + ID_INDEX_SUFFIX;
    }

    /** Returns the lock file name of a stem. */
    static String lockName(String stem) {
        return PREFIX + stem + LOCK_SUFFIX;
    }

    /** Returns a temp file name for the state file of a stem, with the given random part. */
    static String tempName(String stem, long random) {
        return stateName(stem) + "." + HexFormat.of().toHexDigits(random) + TEMP_SUFFIX;
    }

    /**
     * Returns the stem of a state file name.
     *
     * @param fileName a file name
     * @return the stem, or empty if the name is not a state file name
     */
    static Optional<String> stemOfStateName(String fileName) {
        return stemBetween(fileName, STATE_SUFFIX);
    }

    /**
     * Returns the stem of an archive file name.
     *
     * @param fileName a file name
     * @return the stem, or empty if the name is not an archive name
     */
    static Optional<String> stemOfArchiveName(String fileName) {
        return stemBetween(fileName, ARCHIVE_SUFFIX);
    }

    /**
     * Returns the stem of a lock file name.
     *
     * @param fileName a file name
     * @return the stem, or empty if the name is not a lock file name
     */
    static Optional<String> stemOfLockName(String fileName) {
        return stemBetween(fileName, LOCK_SUFFIX);
    }

    /**
     * Returns the stem of a temp file name as {@link #tempName} makes them.
     *
     * @param fileName a file name
     * @return the stem, or empty if the name is not one of our temp names
     */
    static Optional<String> stemOfTempName(String fileName) {
        int tail = STATE_SUFFIX.length() + 1 + TEMP_RANDOM_HEX + TEMP_SUFFIX.length();
        if (!fileName.endsWith(TEMP_SUFFIX) || fileName.length() <= PREFIX.length() + tail) {
            return Optional.empty();
        }
        String random = fileName.substring(fileName.length() - TEMP_SUFFIX.length()
                - TEMP_RANDOM_HEX, fileName.length() - TEMP_SUFFIX.length());
        if (!random.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))
                || fileName.charAt(fileName.length() - TEMP_SUFFIX.length() - TEMP_RANDOM_HEX
                        - 1) != '.') {
            return Optional.empty();
        }
        return stemBetween(fileName.substring(0, fileName.length() - tail + STATE_SUFFIX.length()),
                STATE_SUFFIX);
    }

    private static Optional<String> stemBetween(String fileName, String suffix) {
        if (!fileName.startsWith(PREFIX) || !fileName.endsWith(suffix)
                || fileName.length() == PREFIX.length() + suffix.length()) {
            return Optional.empty();
        }
        String stem = fileName.substring(PREFIX.length(), fileName.length() - suffix.length());
        for (int i = 0; i < stem.length(); i++) {
            char c = stem.charAt(i);
            boolean stemChar = (c < 0x80 && isPlain((byte) c)) || c == '%' || c == '~';
            if (!stemChar) {
                return Optional.empty();
            }
        }
        return Optional.of(stem);
    }

    private static boolean isPlain(byte b) {
        return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9')
                || b == '_' || b == '-';
    }

    private static boolean isUpperHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
