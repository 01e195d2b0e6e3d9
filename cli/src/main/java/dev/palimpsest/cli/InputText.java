package dev.palimpsest.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a round's text from a file or standard input, strictly as UTF-8. */
final class InputText {
    private InputText() {
    }

    /**
     * Reads the text at {@code path}, or standard input for {@code -}.
     *
     * @throws CliException exit 2 if the file does not exist or is not valid UTF-8, exit 6 if
     *                      reading failed
     */
    static String read(String path, Terminal terminal) {
        byte[] bytes;
        String what = "-".equals(path) ? "standard input" : "'" + Text.oneLine(path) + "'";
        try {
            if ("-".equals(path)) {
                InputStream in = terminal.in();
                bytes = in.readAllBytes();
            } else {
                bytes = Files.readAllBytes(Path.of(path));
            }
        } catch (NoSuchFileException e) {
            throw CliException.usage("no such input file " + what);
        } catch (InvalidPathException e) {
            throw CliException.usage("not a usable path " + what + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + what + ": " + e, e);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw CliException.usage(what + " is not valid UTF-8", e);
        }
    }
}
