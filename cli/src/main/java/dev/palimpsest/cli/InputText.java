package dev.palimpsest.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a round's text from a file or standard input, strictly as UTF-8 and never more than a
 * limit: {@code yes | palimpsest append --user-file -} or {@code --user-file /dev/zero} end in a
 * size error, not in an exhausted heap.
 */
final class InputText {
    /**
     * The most bytes one input is read to: the file store's default limit on one log record,
     * which one append (a whole round) must fit into.
     */
    static final long DEFAULT_LIMIT =
            dev.palimpsest.store.file.FileStoreOptions.DEFAULTS.maxRecordBytes();

    private static final String TEXT_LIMIT = "the most one text may hold (a round must fit "
            + "in one log record)";

    private InputText() {
    }

    /**
     * Reads the text at {@code path}, or standard input for {@code -}, up to
     * {@link #DEFAULT_LIMIT} bytes.
     *
     * @throws CliException exit 2 if the file does not exist, is a directory, is larger than
     *                      the limit, or is not valid UTF-8; exit 6 if reading failed
     */
    static String read(String path, Terminal terminal) {
        return read(path, terminal, DEFAULT_LIMIT);
    }

    /** Reads at most {@code limit} bytes; see {@link #read(String, Terminal)}. */
    static String read(String path, Terminal terminal, long limit) {
        byte[] bytes;
        String what = "-".equals(path) ? "standard input" : "'" + Text.oneLine(path) + "'";
        try {
            if ("-".equals(path)) {
                bytes = readBounded(terminal.in(), limit, what, TEXT_LIMIT);
            } else {
                Path file = Path.of(path);
                // Pipes and process substitution (<(cmd)) are fine; a directory is not text.
                if (Files.isDirectory(file)) {
                    throw CliException.usage(what + " is a directory, not a text file");
                }
                try (InputStream in = Files.newInputStream(file)) {
                    bytes = readBounded(in, limit, what, TEXT_LIMIT);
                }
            }
        } catch (NoSuchFileException e) {
            throw CliException.usage("no such input file " + what);
        } catch (AccessDeniedException e) {
            throw CliException.usage("cannot read " + what + ": permission denied");
        } catch (InvalidPathException e) {
            throw CliException.usage("not a usable path " + what + ": " + e.getReason(), e);
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + what + ": "
                    + IoMessages.describe(e), e);
        }
        return utf8(bytes, what);
    }

    /**
     * Decodes strictly: a byte sequence that is not UTF-8 is refused, never replaced.
     *
     * @throws CliException exit 2 naming {@code what}
     */
    static String utf8(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw CliException.usage(what + " is not valid UTF-8", e);
        }
    }

    /**
     * Reads a stream to its end, or fails as soon as it holds more than {@code limit} bytes
     * (without reading the rest).
     *
     * @param whyLimit what the limit is, for the message ("the most one text may hold")
     */
    static byte[] readBounded(InputStream in, long limit, String what, String whyLimit)
            throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
            if (total > limit) {
                throw CliException.usage(what + " is larger than " + Sizes.describe(limit)
                        + ", " + whyLimit);
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }
}
