/**
 * The {@link dev.palimpsest.summarizer.openai.OpenAiSummarizer}, a
 * {@link dev.palimpsest.engine.Summarizer} for any OpenAI-compatible chat-completions
 * endpoint, and the {@link dev.palimpsest.summarizer.openai.InsecureEndpointException} its
 * builder refuses a plain-HTTP key with.
 */
package dev.palimpsest.summarizer.openai;
