/**
 * Defines the OpenAI-compatible summarizer of the engine of the model v2:
 * {@link dev.palimpsest.summarizer.openai.OpenAiSummarizer} folds evicted rounds through any
 * {@code /v1/chat/completions} endpoint (OpenAI, Ollama, vLLM, the llama.cpp server, LM Studio).
 *
 * <p>It lives in a module of its own so that the engine needs neither an HTTP client nor a JSON
 * library: only an application that plugs this summarizer in pays for them.
 */
module dev.palimpsest.summarizer.openai {
    // The summarizer implements the engine's Summarizer, and its builder takes the JDK's
    // HttpClient: both modules' types appear in the API.
    requires transitive dev.palimpsest.engine;
    requires transitive java.net.http;
    // The JSON of requests and answers; it does not appear in the API.
    requires com.fasterxml.jackson.databind;

    exports dev.palimpsest.summarizer.openai;
}
