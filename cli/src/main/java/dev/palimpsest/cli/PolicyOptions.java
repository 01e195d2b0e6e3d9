package dev.palimpsest.cli;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.engine.summarizer.ExtractiveSummarizer;
import dev.palimpsest.engine.summarizer.InsecureEndpointException;
import dev.palimpsest.engine.summarizer.OpenAiSummarizer;
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
    private final String openaiUrl;
    private final String model;
    private final String openaiKeyEnv;
    private final boolean openaiAllowPlainHttp;

    private PolicyOptions(Invocation invocation) {
        maxRounds = invocation.value("--max-rounds");
        keepRounds = invocation.value("--keep-rounds");
        maxTokens = invocation.value("--max-tokens");
        summarizer = invocation.value("--summarizer");
        openaiUrl = invocation.value("--openai-url");
        model = invocation.value("--model");
        openaiKeyEnv = invocation.value("--openai-key-env");
        openaiAllowPlainHttp = invocation.flag("--openai-allow-plain-http");
    }

    /** Adds the policy and summarizer options to a command's model. */
    static void addTo(CommandSpec spec) {
        spec.addOption(Specs.option("--max-rounds", "N", Integer.class,
                "Compact once the verbatim window holds more than N rounds."));
        spec.addOption(Specs.option("--keep-rounds", "N", Integer.class,
                "Rounds kept verbatim after a compaction (fewer than --max-rounds)."));
        spec.addOption(Specs.option("--max-tokens", "N", Long.class,
                "Compact once the window's estimated tokens exceed N."));
        spec.addOption(Specs.option("--summarizer", "extractive|openai", String.class,
                "Who writes the compressed context: the offline extractive summarizer "
                        + "(default) or an OpenAI-compatible API."));
        spec.addOption(Specs.option("--openai-url", "URL", String.class,
                "Base URL of the OpenAI-compatible API (default: $OPENAI_BASE_URL, else "
                        + "https://api.openai.com/v1)."));
        spec.addOption(Specs.option("--model", "NAME", String.class,
                "The model the OpenAI summarizer asks for."));
        spec.addOption(Specs.option("--openai-key-env", "VAR", String.class,
                "The environment variable holding the API key (default: OPENAI_API_KEY); "
                        + "unset or empty sends no key."));
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
        int rounds = maxRounds != null ? maxRounds
                : config.maxRounds().orElse(defaults.maxRounds());
        int keep = keepRounds != null ? keepRounds
                : config.keepRounds().orElse(defaults.keepRounds());
        long tokens = maxTokens != null ? maxTokens
                : config.maxTokens().orElse(defaults.maxTokens());
        try {
            return new CompactionPolicy(rounds, keep, tokens);
        } catch (RuntimeException invalid) {
            throw CliException.usage("invalid compaction policy: " + invalid.getMessage(), invalid);
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
            return ExtractiveSummarizer.withDefaultBudget();
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
