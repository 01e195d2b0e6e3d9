/**
 * The built-in {@link dev.palimpsest.engine.Summarizer}s: the offline, deterministic
 * {@link dev.palimpsest.engine.summarizer.ExtractiveSummarizer} (the default) and the
 * {@link dev.palimpsest.engine.summarizer.OpenAiSummarizer} for any OpenAI-compatible chat
 * completions endpoint.
 */
package dev.palimpsest.engine.summarizer;
