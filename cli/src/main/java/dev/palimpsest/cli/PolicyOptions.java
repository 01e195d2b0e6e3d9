package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ExtractiveSummarizer;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.summarizer.openai.InsecureEndpointException;
import dev.palimpsest.summarizer.openai.OpenAiSummarizer;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The compaction policy and summarizer flags shared by the commands that may compact. Each flag
 * overrides its {@code config.json} key ({@link LauncherConfig}) for one call; what neither sets
 * comes from the engine's defaults.
 */
final class PolicyOptions {
    private final Integer maxRounds;
    private final Integer keepRounds;
    private final Long maxTokens;
    private final String summarizer;
    private final Integer summaryBudget;
    private final String openaiUrl;
    private final String model;
    private final String openaiKeyEnv;
    private final boolean openaiAllowPlainHttp;

    private PolicyOptions(Invocation invocation) {
        maxRounds = invocation.value("--max-rounds");
        keepRounds = invocation.value("--keep-rounds");
        maxTokens = invocation.value("--max-tokens");
        summarizer = invocation.value("--summarizer");
        summaryBudget = invocation.value("--summary-budget");
        openaiUrl = invocation.value("--openai-url");
        model = invocation.value("--model");
        openaiKeyEnv = invocation.value("--openai-key-env");
        openaiAllowPlainHttp = invocation.flag("--openai-allow-plain-http");
    }

    /** Adds the policy and summarizer options to a command's model. */
    static void addTo(CommandSpec spec) {
        CompactionPolicy defaults = CompactionPolicy.DEFAULT;
        spec.addOption(Specs.option("--max-rounds", "N", Integer.class,
                "Compact once the verbatim window holds more than N rounds. Default: "
                        + "max_rounds in config.json, else " + defaults.maxRounds() + "."));
        spec.addOption(Specs.option("--keep-rounds", "N", Integer.class,
                "Rounds kept verbatim after a compaction (fewer than --max-rounds). Default: "
                        + "keep_rounds in config.json, else " + defaults.keepRounds() + "."));
        spec.addOption(Specs.option("--max-tokens", "N", Long.class,
                "Compact once the window's estimated tokens exceed N. Default: max_tokens in "
                        + "config.json, else " + defaults.maxTokens() + "."));
        spec.addOption(Specs.option("--summarizer", "extractive|openai", String.class,
                "Who writes the compressed context: the offline extractive summarizer "
                        + "or an OpenAI-compatible API. Default: summarizer in config.json, "
                        + "else extractive."));
        spec.addOption(Specs.option("--summary-budget", "CHARS", Integer.class,
                "The most characters of the compressed context the extractive summarizer "
                        + "writes (at least " + ExtractiveSummarizer.MIN_BUDGET + "). Default: "
                        + "summary_budget in config.json, else "
                        + ExtractiveSummarizer.DEFAULT_BUDGET + "."));
        spec.addOption(Specs.option("--openai-url", "URL", String.class,
                "Base URL of the OpenAI-compatible API. Default: openai_url in config.json, "
                        + "else $OPENAI_BASE_URL, else https://api.openai.com/v1."));
        spec.addOption(Specs.option("--model", "NAME", String.class,
                "The model the OpenAI summarizer asks for (required with openai). Default: "
                        + "model in config.json."));
        spec.addOption(Specs.option("--openai-key-env", "VAR", String.class,
                "The environment variable holding the API key; unset or empty sends no key. "
                        + "Default: openai_key_env in config.json, else OPENAI_API_KEY."));
        spec.addOption(Specs.flag("--openai-allow-plain-http",
                "Allow sending the API key over plain http:// to a host that is not this "
                        + "machine's loopback (refused otherwise)."));
    }

    /** Reads the options a command line gave. */
    static PolicyOptions of(Invocation invocation) {
        return new PolicyOptions(invocation);
    }

    /**
     * Resolves the policy: flag, else {@code config.json}, else the engine's default.
     *
     * @throws CliException (exit 2) if the resulting policy is invalid
     */
    CompactionPolicy policy(LauncherConfig config) {
        CompactionPolicy defaults = CompactionPolicy.DEFAULT;
        Setting rounds = maxRounds != null ? Setting.flag("--max-rounds", maxRounds)
                : config.maxRounds().isPresent()
                ? Setting.config("max_rounds", config.maxRounds().getAsInt())
                : Setting.builtIn("--max-rounds", "max_rounds", defaults.maxRounds());
        Setting keep = keepRounds != null ? Setting.flag("--keep-rounds", keepRounds)
                : config.keepRounds().isPresent()
                ? Setting.config("keep_rounds", config.keepRounds().getAsInt())
                : Setting.builtIn("--keep-rounds", "keep_rounds", defaults.keepRounds());
        Setting tokens = maxTokens != null ? Setting.flag("--max-tokens", maxTokens)
                : config.maxTokens().isPresent()
                ? Setting.config("max_tokens", config.maxTokens().getAsLong())
                : Setting.builtIn("--max-tokens", "max_tokens", defaults.maxTokens());
        // The engine checks these too, but in its own terms (keepRounds, maxRounds); here each
        // value is named by where it came from, so the user knows what to change.
        if (keep.value() < 1) {
            throw CliException.usage(keep.describe() + " must be at least 1");
        }
        if (keep.value() >= rounds.value()) {
            throw CliException.usage(keep.describe() + " must be less than " + rounds.describe()
                    + ": a compaction keeps fewer rounds than the window may hold");
        }
        if (tokens.value() < 1) {
            throw CliException.usage(tokens.describe() + " must be at least 1");
        }
        try {
            return new CompactionPolicy((int) rounds.value(), (int) keep.value(), tokens.value());
        } catch (RuntimeException invalid) {
            throw CliException.usage("invalid compaction policy: " + invalid.getMessage(), invalid);
        }
    }

    /** A policy value and where it came from: a flag, config.json, or the built-in default. */
    private record Setting(long value, String source) {
        static Setting flag(String flag, long value) {
            return new Setting(value, flag + " " + value);
        }

        static Setting config(String key, long value) {
            return new Setting(value, key + " " + value + " in " + LauncherConfig.FILE_NAME);
        }

        static Setting builtIn(String flag, String key, long value) {
            return new Setting(value, flag + " (" + value + ", the default; set " + flag
                    + " or " + key + " in " + LauncherConfig.FILE_NAME + ")");
        }

        String describe() {
            return source;
        }
    }

    /**
     * Builds the summarizer: flag, else {@code config.json}, else extractive.
     *
     * @throws CliException (exit 2) if the OpenAI summarizer lacks a model or a valid URL, has
     *                      a refused header, or would send the API key over plain HTTP to a host
     *                      that is not loopback (checked before any request)
     */
    Summarizer summarizer(LauncherConfig config, Map<String, String> env) {
        SummarizerKind kind = summarizer != null ? SummarizerKind.parse(summarizer)
                : config.summarizer().map(SummarizerKind::parse).orElse(SummarizerKind.EXTRACTIVE);
        if (kind == SummarizerKind.EXTRACTIVE) {
            int chars = summaryBudget != null ? summaryBudget
                    : config.summaryBudget().orElse(ExtractiveSummarizer.DEFAULT_BUDGET);
            if (chars < ExtractiveSummarizer.MIN_BUDGET) {
                throw CliException.usage("--summary-budget must be at least "
                        + ExtractiveSummarizer.MIN_BUDGET + " chars, was " + chars);
            }
            return ExtractiveSummarizer.withBudget(chars);
        }
        String name = model != null ? model : config.model().orElse(null);
        if (name == null) {
            throw CliException.usage("the openai summarizer needs a model: --model NAME or "
                    + "\"model\" in " + LauncherConfig.FILE_NAME);
        }
        LauncherConfig.OpenAiOptions options = config.openai();
        // The environment is the terminal's, so $OPENAI_BASE_URL and the key's variable are
        // read from what this run was given (without a key no Authorization header is sent:
        // local OpenAI-compatible servers need none).
        OpenAiSummarizer.Builder builder = OpenAiSummarizer.builder().environment(env::get)
                .allowPlainHttp(openaiAllowPlainHttp || options.allowPlainHttp());
        String keyEnv = openaiKeyEnv != null ? openaiKeyEnv
                : options.keyEnv().orElse(OpenAiSummarizer.DEFAULT_API_KEY_ENV);
        try {
            builder.apiKeyFromEnv(keyEnv);
        } catch (IllegalArgumentException invalid) {
            throw CliException.usage((openaiKeyEnv != null ? "--openai-key-env"
                    : "\"openai_key_env\" in " + LauncherConfig.FILE_NAME) + ": "
                    + invalid.getMessage(), invalid);
        }
        options.headers().forEach((header, value) -> {
            try {
                builder.header(header, value);
            } catch (IllegalArgumentException refused) {
                throw CliException.usage("invalid \"openai_headers\" in "
                        + LauncherConfig.FILE_NAME + ": " + refused.getMessage(), refused);
            }
        });
        URI url = openaiUrl != null ? uri(openaiUrl) : config.openaiUrl().orElse(null);
        try {
            options.systemPrompt().ifPresent(builder::systemPrompt);
            options.tokenLimitParameter().ifPresent(builder::tokenLimitParameter);
            options.temperature().ifPresent(t -> {
                if (t.isPresent()) {
                    builder.temperature(t.getAsDouble());
                } else {
                    builder.defaultTemperature();
                }
            });
            if (url != null) {
                builder.baseUrl(url);
            }
            return builder.model(name).build();
        } catch (InsecureEndpointException insecure) {
            URI endpoint = insecure.endpoint();
            throw CliException.usage("refusing to send the API key from $" + keyEnv
                    + " over plain HTTP to " + endpoint.getHost() + ", where anyone on the "
                    + "network path can read it: use an https:// URL, or give "
                    + "--openai-allow-plain-http (in " + LauncherConfig.FILE_NAME
                    + ": \"openai_allow_plain_http\": true) if that network is trusted",
                    insecure);
        } catch (RuntimeException invalid) {
            throw CliException.usage("invalid openai summarizer settings: "
                    + invalid.getMessage(), invalid);
        }
    }

    private static URI uri(String text) {
        try {
            return new URI(text);
        } catch (URISyntaxException e) {
            throw CliException.usage("--openai-url is not a URL: " + e.getMessage(), e);
        }
    }
}
