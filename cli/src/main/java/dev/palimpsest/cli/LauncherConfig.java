package dev.palimpsest.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The defaults an operator keeps in {@code <root>/config.json} for the policy and summarizer
 * flags; a flag overrides its key for one call. Every key is optional; an unknown key, a value
 * of the wrong type, or malformed JSON is rejected (exit 2) rather than ignored, so a typo does
 * not silently fall back to a built-in default.
 *
 * @param maxRounds  {@code max_rounds}: compact once the verbatim window holds more rounds
 * @param keepRounds {@code keep_rounds}: rounds kept verbatim after a compaction
 * @param maxTokens  {@code max_tokens}: compact once the window's estimated tokens exceed this
 * @param summarizer {@code summarizer}: {@code extractive} or {@code openai}
 * @param openaiUrl  {@code openai_url}: base URL of an OpenAI-compatible API
 * @param model      {@code model}: the model the OpenAI summarizer asks for
 */
record LauncherConfig(OptionalInt maxRounds, OptionalInt keepRounds, OptionalLong maxTokens,
                      Optional<String> summarizer, Optional<URI> openaiUrl,
                      Optional<String> model) {

    /** The file name below the root. */
    static final String FILE_NAME = "config.json";

    /** No file: every default is built in. */
    static final LauncherConfig NONE = new LauncherConfig(OptionalInt.empty(), OptionalInt.empty(),
            OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /**
     * Reads {@code <root>/config.json}.
     *
     * @param root the data root
     * @return the configuration, {@link #NONE} if there is no file
     * @throws CliException (exit 2) if the file is not a valid configuration, (exit 6) if it
     *                      cannot be read
     */
    static LauncherConfig read(Path root) {
        Path file = root.resolve(FILE_NAME);
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file);
        } catch (NoSuchFileException absent) {
            return NONE;
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + file + ": " + e, e);
        }
    }

    /** Parses a configuration; {@code file} names it in messages. */
    static LauncherConfig parse(InputStream in, Path file) throws IOException {
        OptionalInt maxRounds = OptionalInt.empty();
        OptionalInt keepRounds = OptionalInt.empty();
        OptionalLong maxTokens = OptionalLong.empty();
        Optional<String> summarizer = Optional.empty();
        Optional<URI> openaiUrl = Optional.empty();
        Optional<String> model = Optional.empty();
        try (JsonParser parser = new JsonFactory().createParser(in)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(file, "must hold one JSON object");
            }
            Set<String> seen = new HashSet<>();
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                if (!seen.add(key)) {
                    throw invalid(file, "duplicate key '" + key + "'");
                }
                JsonToken value = parser.nextToken();
                switch (key) {
                    case "max_rounds" -> maxRounds = OptionalInt.of(intValue(parser, value, file));
                    case "keep_rounds" -> keepRounds = OptionalInt.of(intValue(parser, value, file));
                    case "max_tokens" -> maxTokens = OptionalLong.of(longValue(parser, value, file));
                    case "summarizer" -> summarizer = Optional.of(
                            summarizerName(text(parser, value, file), file));
                    case "openai_url" -> openaiUrl = Optional.of(uri(text(parser, value, file), file));
                    case "model" -> model = Optional.of(text(parser, value, file));
                    default -> throw invalid(file, "unknown key '" + Text.oneLine(key)
                            + "' (known: max_rounds, keep_rounds, max_tokens, summarizer, "
                            + "openai_url, model)");
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw invalid(file, "must hold one JSON object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw invalid(file, "malformed JSON: " + e.getOriginalMessage());
        }
        return new LauncherConfig(maxRounds, keepRounds, maxTokens, summarizer, openaiUrl, model);
    }

    private static int intValue(JsonParser parser, JsonToken token, Path file) throws IOException {
        long value = longValue(parser, token, file);
        if (value > Integer.MAX_VALUE) {
            throw invalid(file, "'" + parser.currentName() + "' is too large: " + value);
        }
        return (int) value;
    }

    private static long longValue(JsonParser parser, JsonToken token, Path file)
            throws IOException {
        if (token != JsonToken.VALUE_NUMBER_INT
                || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw invalid(file, "'" + parser.currentName() + "' must be an integer");
        }
        return parser.getLongValue();
    }

    private static String text(JsonParser parser, JsonToken token, Path file) throws IOException {
        if (token != JsonToken.VALUE_STRING) {
            throw invalid(file, "'" + parser.currentName() + "' must be a string");
        }
        return parser.getText();
    }

    private static String summarizerName(String text, Path file) {
        try {
            return SummarizerKind.parse(text).configName();
        } catch (CliException unknown) {
            throw invalid(file, unknown.getMessage());
        }
    }

    private static URI uri(String text, Path file) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw invalid(file, "'openai_url' is not a URL: " + e.getMessage());
        }
    }

    private static CliException invalid(Path file, String detail) {
        return CliException.usage("invalid configuration " + file + ": " + detail);
    }
}
