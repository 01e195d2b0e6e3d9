package dev.palimpsest.cli;

import java.util.Locale;

/** The summarizers the launcher can configure. */
enum SummarizerKind {
    /** The engine's offline extractive summarizer (the default). */
    EXTRACTIVE,
    /**
     * An OpenAI-compatible chat-completions API; the key comes from the environment variable
     * that {@code --openai-key-env} names ({@code OPENAI_API_KEY} by default).
     */
    OPENAI;

    /** Parses the name used by {@code --summarizer} and {@code config.json}. */
    static SummarizerKind parse(String name) {
        for (SummarizerKind kind : values()) {
            if (kind.configName().equals(name)) {
                return kind;
            }
        }
        throw CliException.usage("unknown summarizer '" + Text.oneLine(name)
                + "' (expected extractive or openai)");
    }

    /** Returns the name used by {@code --summarizer} and {@code config.json}. */
    String configName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
