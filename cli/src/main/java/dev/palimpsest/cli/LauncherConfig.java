package dev.palimpsest.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.palimpsest.engine.ExtractiveSummarizer;
import dev.palimpsest.store.file.FileStoreOptions;
import dev.palimpsest.summarizer.openai.OpenAiSummarizer.TokenLimitParameter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalDouble;
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
 * @param summaryBudget {@code summary_budget}: the extractive summarizer's budget, in chars
 * @param openaiUrl  {@code openai_url}: base URL of an OpenAI-compatible API
 * @param model      {@code model}: the model the OpenAI summarizer asks for
 * @param openai     the further {@code openai_*} keys of the OpenAI summarizer
 * @param compactTimeoutSeconds {@code compact_timeout_s}: how long {@code append} lets the
 *                   compaction after a round run, in seconds (0 skips it)
 * @param storeOptions the file store's settings: {@code checkpoint_every_records},
 *                   {@code checkpoint_every_bytes} and {@code segment_bytes}, the rest of
 *                   {@link FileStoreOptions#DEFAULTS}
 * @param store      {@code store}: {@code files}, or the {@code postgresql://} URL of a
 *                   PostgreSQL store ({@link StoreLocation})
 * @param storePasswordFile {@code store_password_file}: the file whose first line is the
 *                   PostgreSQL password, resolved against the data root
 */
record LauncherConfig(OptionalInt maxRounds, OptionalInt keepRounds, OptionalLong maxTokens,
                      Optional<String> summarizer, OptionalInt summaryBudget,
                      Optional<URI> openaiUrl,
                      Optional<String> model, OpenAiOptions openai,
                      OptionalLong compactTimeoutSeconds, FileStoreOptions storeOptions,
                      Optional<StoreLocation> store, Optional<Path> storePasswordFile) {

    /** The file name below the root. */
    static final String FILE_NAME = "config.json";

    /** Every key, in the order docs/cli.md lists them; an unknown key's error names them all. */
    static final List<String> KEYS = List.of(
            "max_rounds",
            "keep_rounds",
            "max_tokens",
            "summarizer",
            "summary_budget",
            "openai_url",
            "model",
            "openai_key_env",
            "openai_allow_plain_http",
            "openai_system_prompt",
            "openai_headers",
            "openai_token_limit_parameter",
            "openai_temperature",
            "compact_timeout_s",
            "checkpoint_every_records",
            "checkpoint_every_bytes",
            "segment_bytes",
            "store",
            "store_password_file");

    /** No file: every default is built in. */
    static final LauncherConfig NONE = new LauncherConfig(OptionalInt.empty(), OptionalInt.empty(),
            OptionalLong.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(),
            Optional.empty(),
            OpenAiOptions.NONE, OptionalLong.empty(), FileStoreOptions.DEFAULTS,
            Optional.empty(), Optional.empty());

    /** The largest configuration read: a file larger than this is not a configuration. */
    static final long MAX_BYTES = 1024 * 1024;

    /** Rejects a null part. */
    LauncherConfig {
        Objects.requireNonNull(openai, "openai");
        Objects.requireNonNull(storeOptions, "storeOptions");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(storePasswordFile, "storePasswordFile");
    }

    /**
     * The OpenAI summarizer's keys beyond {@code openai_url} and {@code model}.
     *
     * @param keyEnv              {@code openai_key_env}: the environment variable holding the
     *                            API key
     * @param allowPlainHttp      {@code openai_allow_plain_http}: whether the key may travel
     *                            over plain HTTP to a host that is not loopback
     * @param systemPrompt        {@code openai_system_prompt}: the summary instructions
     * @param headers             {@code openai_headers}: extra request headers, in file order
     * @param temperature         {@code openai_temperature}: the sampling temperature, or
     *                            empty inside to send none
     * @param tokenLimitParameter {@code openai_token_limit_parameter}: the field carrying the
     *                            output limit
     */
    record OpenAiOptions(Optional<String> keyEnv, boolean allowPlainHttp,
                         Optional<String> systemPrompt, Map<String, String> headers,
                         Optional<TokenLimitParameter> tokenLimitParameter,
                         Optional<OptionalDouble> temperature) {
        /** None of the keys: the summarizer's defaults. */
        static final OpenAiOptions NONE = new OpenAiOptions(Optional.empty(), false,
                Optional.empty(), Map.of(), Optional.empty(), Optional.empty());

        /** Copies the headers, keeping their order. */
        OpenAiOptions {
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }
    }

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
        OptionalInt summaryBudget = OptionalInt.empty();
        Optional<String> summarizer = Optional.empty();
        Optional<URI> openaiUrl = Optional.empty();
        Optional<String> model = Optional.empty();
        Optional<String> keyEnv = Optional.empty();
        boolean allowPlainHttp = false;
        Optional<String> systemPrompt = Optional.empty();
        Map<String, String> headers = Map.of();
        Optional<TokenLimitParameter> tokenLimit = Optional.empty();
        Optional<OptionalDouble> temperature = Optional.empty();
        OptionalLong compactTimeout = OptionalLong.empty();
        FileStoreOptions defaults = FileStoreOptions.DEFAULTS;
        long checkpointRecords = defaults.checkpointEveryRecords();
        long checkpointBytes = defaults.checkpointEveryBytes();
        long segmentBytes = defaults.segmentBytes();
        Optional<StoreLocation> store = Optional.empty();
        Optional<Path> storePasswordFile = Optional.empty();
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
                    case "summary_budget" -> summaryBudget = OptionalInt.of(
                            summaryBudget(intValue(parser, value, file), file));
                    case "summarizer" -> summarizer = Optional.of(
                            summarizerName(text(parser, value, file), file));
                    case "openai_url" -> openaiUrl = Optional.of(uri(text(parser, value, file), file));
                    case "model" -> model = Optional.of(text(parser, value, file));
                    case "openai_key_env" -> keyEnv = Optional.of(text(parser, value, file));
                    case "openai_allow_plain_http" -> allowPlainHttp =
                            bool(parser, value, file);
                    case "openai_system_prompt" -> systemPrompt = Optional.of(
                            notBlank(parser, text(parser, value, file), file));
                    case "openai_headers" -> headers = headers(parser, value, file);
                    case "openai_token_limit_parameter" -> tokenLimit = Optional.of(
                            tokenLimit(text(parser, value, file), file));
                    case "openai_temperature" -> temperature = Optional.of(
                            temperature(parser, value, file));
                    case "compact_timeout_s" -> compactTimeout = OptionalLong.of(
                            nonNegative(parser, longValue(parser, value, file), file));
                    case "checkpoint_every_records" -> checkpointRecords =
                            positive(parser, longValue(parser, value, file), file);
                    case "checkpoint_every_bytes" -> checkpointBytes =
                            positive(parser, longValue(parser, value, file), file);
                    case "segment_bytes" -> segmentBytes =
                            positive(parser, longValue(parser, value, file), file);
                    case "store" -> store = Optional.of(StoreLocation.parse(
                            text(parser, value, file), "'store' of " + file));
                    case "store_password_file" -> storePasswordFile = Optional.of(
                            path(text(parser, value, file), file));
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
        return new LauncherConfig(maxRounds, keepRounds, maxTokens, summarizer, summaryBudget,
                openaiUrl, model,
                new OpenAiOptions(keyEnv, allowPlainHttp, systemPrompt, headers, tokenLimit,
                        temperature),
                compactTimeout, storeOptions(checkpointRecords, checkpointBytes, segmentBytes,
                        file), store, storePasswordFile);
    }

    private static Path path(String text, Path file) {
        try {
            return file.resolveSibling(text);
        } catch (java.nio.file.InvalidPathException e) {
            throw invalid(file, "'store_password_file' is not a usable path: " + e.getMessage());
        }
    }

    private static int summaryBudget(int chars, Path file) {
        if (chars < ExtractiveSummarizer.MIN_BUDGET) {
            throw invalid(file, "'summary_budget' must be at least "
                    + ExtractiveSummarizer.MIN_BUDGET + " chars, was " + chars);
        }
        return chars;
    }

    private static FileStoreOptions storeOptions(long records, long bytes, long segmentBytes,
                                                 Path file) {
        if (records > Integer.MAX_VALUE) {
            throw invalid(file, "'checkpoint_every_records' must be at most "
                    + Integer.MAX_VALUE + ", was " + records);
        }
        FileStoreOptions d = FileStoreOptions.DEFAULTS;
        try {
            return new FileStoreOptions((int) records, bytes, segmentBytes, d.preallocateBytes(),
                    d.maxRecordBytes());
        } catch (RuntimeException refused) {
            throw invalid(file, "invalid store settings: " + refused.getMessage());
        }
    }

    private static long positive(JsonParser parser, long value, Path file) throws IOException {
        if (value < 1) {
            throw invalid(file, "'" + parser.currentName() + "' must be at least 1, was " + value);
        }
        return value;
    }

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

    private static boolean bool(JsonParser parser, JsonToken token, Path file) throws IOException {
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
            throw invalid(file, "'" + parser.currentName() + "' must be true or false");
        }
        return token == JsonToken.VALUE_TRUE;
    }

    private static String notBlank(JsonParser parser, String text, Path file) throws IOException {
        if (text.isBlank()) {
            throw invalid(file, "'" + parser.currentName() + "' must not be blank");
        }
        return text;
    }

    /** Reads {@code openai_headers}: one JSON object whose values are strings. */
    private static Map<String, String> headers(JsonParser parser, JsonToken token, Path file)
            throws IOException {
        if (token != JsonToken.START_OBJECT) {
            throw invalid(file, "'openai_headers' must be an object of header names and string "
                    + "values, such as {\"OpenAI-Organization\": \"org-...\"}");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            if (parser.nextToken() != JsonToken.VALUE_STRING) {
                throw invalid(file, "'openai_headers': the value of '" + Text.oneLine(name)
                        + "' must be a string");
            }
            if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                throw invalid(file, "'openai_headers': header '" + Text.oneLine(name)
                        + "' given twice");
            }
            headers.put(name, parser.getText());
        }
        return headers;
    }

    /** Reads {@code openai_temperature}: a number within [0, 2], or null to send none. */
    private static OptionalDouble temperature(JsonParser parser, JsonToken token, Path file)
            throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return OptionalDouble.empty();
        }
        if (!token.isNumeric() || !(parser.getDoubleValue() >= 0
                && parser.getDoubleValue() <= 2)) {
            throw invalid(file, "'openai_temperature' must be a number from 0 to 2, or null to "
                    + "send none (OpenAI's reasoning models accept only their default)");
        }
        return OptionalDouble.of(parser.getDoubleValue());
    }

    private static TokenLimitParameter tokenLimit(String text, Path file) {
        try {
            return TokenLimitParameter.ofFieldName(text);
        } catch (IllegalArgumentException unknown) {
            throw invalid(file, "'openai_token_limit_parameter' must be \"max_tokens\" or "
                    + "\"max_completion_tokens\", was '" + Text.oneLine(text) + "'");
        }
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
