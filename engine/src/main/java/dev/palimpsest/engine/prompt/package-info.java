/**
 * Renderings of a {@link dev.palimpsest.engine.PromptContext} for chat APIs: the OpenAI chat
 * format ({@link dev.palimpsest.engine.prompt.OpenAiFormat}) and Anthropic's messages format
 * ({@link dev.palimpsest.engine.prompt.AnthropicFormat}). They produce plain records, which
 * any JSON library can write; {@link dev.palimpsest.engine.prompt.PromptFormat} is the
 * interface to add another.
 */
package dev.palimpsest.engine.prompt;
