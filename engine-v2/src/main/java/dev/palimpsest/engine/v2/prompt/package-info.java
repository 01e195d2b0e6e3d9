/**
 * Renderings of a {@link dev.palimpsest.engine.v2.PromptContext} for chat APIs: the OpenAI chat
 * format ({@link dev.palimpsest.engine.v2.prompt.OpenAiFormat}) and Anthropic's messages format
 * ({@link dev.palimpsest.engine.v2.prompt.AnthropicFormat}). They produce plain records, which
 * any JSON library can write; {@link dev.palimpsest.engine.v2.prompt.PromptFormat} is the
 * interface to add another.
 */
package dev.palimpsest.engine.v2.prompt;
