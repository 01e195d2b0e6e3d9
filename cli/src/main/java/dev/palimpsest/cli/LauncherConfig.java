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
import java.nio.file.attribute.BasicFileAttributes;
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
 * @param compactTimeoutSeconds {@code compact_timeout_s}: how long {@code append} lets the
 *                   compaction after a round run, in seconds (0 skips it)
 */
record LauncherConfig(OptionalInt maxRounds, OptionalInt keepRounds, OptionalLong maxTokens,
                      Optional<String> summarizer, Optional<URI> openaiUrl,
                      Optional<String> model, OptionalLong compactTimeoutSeconds) {

    /** The file name below the root. */
    static final String FILE_NAME = "config.json";

    /** No file: every default is built in. */
    static final LauncherConfig NONE = new LauncherConfig(OptionalInt.empty(), OptionalInt.empty(),
            OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
            OptionalLong.empty());

    /** The largest configuration read: a file larger than this is not a configuration. */
    static final long MAX_BYTES = 1024 * 1024;

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
        byte[] bytes;
        try {
            // Links are followed (an operator may link a shared configuration in), but what
            // they reach must be a regular file: a FIFO would block the launcher forever.
            BasicFileAttributes attributes = Files.readAttributes(file,
                    BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw CliException.usage("invalid configuration " + file + ": not a regular file"
                        + (attributes.isDirectory() ? " (a directory)" : " (a FIFO or device)")
                        + "; remove it or replace it with a JSON file");
            }
            try (InputStream in = Files.newInputStream(file)) {
                bytes = InputText.readBounded(in, MAX_BYTES, file.toString(),
                        "the most a configuration may hold");
            }
        } catch (NoSuchFileException absent) {
            return NONE;
        } catch (IOException e) {
            throw new CliException(ExitCode.IO, "cannot read " + file + ": "
                    + IoMessages.describe(e), e);
        }
        try {
            return parse(new java.io.ByteArrayInputStream(bytes), file);
        } catch (IOException e) {
            throw invalid(file, IoMessages.describe(e));
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
        OptionalLong compactTimeout = OptionalLong.empty();
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
                    case "compact_timeout_s" -> compactTimeout = OptionalLong.of(
                            nonNegative(parser, longValue(parser, value, file), file));
                    default -> throw invalid(file, unknownKey(key));
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw invalid(file, "must hold one JSON object");
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // The original message: Jackson's full one appends a "Source: REDACTED" note.
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr();
            throw invalid(file, "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        return new LauncherConfig(maxRounds, keepRounds, maxTokens, summarizer, openaiUrl, model,
                compactTimeout);
    }

    /** Every key a configuration may hold, for messages. */
    static final java.util.List<String> KEYS = java.util.List.of("max_rounds", "keep_rounds",
            "max_tokens", "summarizer", "openai_url", "model", "compact_timeout_s");

    private static String unknownKey(String key) {
        String suggestion = Suggestions.didYouMean(Suggestions.closest(key, KEYS));
        return "unknown key '" + Text.oneLine(key) + "'"
                + (suggestion.isEmpty() ? "" : "; " + suggestion)
                + " (known: " + String.join(", ", KEYS) + ")";
    }

    private static long nonNegative(JsonParser parser, long value, Path file)
            throws IOException {
        if (value < 0) {
            throw invalid(file, "'" + parser.currentName() + "' must be 0 or more, was " + value);
        }
        return value;
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
