package dev.palimpsest.cli;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import dev.palimpsest.engine.prompt.AnthropicPrompt;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.format.FormatCodec;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.file.CheckReport;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes the launcher's own JSON output (acknowledgements, reports, listings) with Jackson's
 * streaming generator, using the field names of the state file format ({@code docs/format.md}):
 * {@code seq}, {@code created_at}, {@code conv_id}, {@code rounds_total} and so on. Messages,
 * rounds and states are written by the format's own codec ({@link StoredJson}). Output is UTF-8,
 * pretty-printed, and ends with a newline.
 */
final class JsonOutput implements AutoCloseable {
    private final JsonGenerator json;
    private final OutputStream out;

    JsonOutput(OutputStream out) {
        this.out = out;
        try {
            // Characters beyond the BMP (emoji) are written as UTF-8, as in the state files, not
            // as escaped surrogate pairs.
            JsonFactory factory = JsonFactory.builder()
                    .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
                    .build();
            this.json = factory.createGenerator(out, JsonEncoding.UTF8)
                    .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                    .useDefaultPrettyPrinter();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes an append's acknowledgement: {@code {conv_id, seq, created_at, first_message_seq,
     * last_message_seq, already_stored}}, {@code seq} being the round of the last message.
     */
    void appended(String convId, long roundSeq, String createdAt, long firstMessageSeq,
                  long lastMessageSeq, int alreadyStored) {
        try {
            json.writeStartObject();
            json.writeStringField("conv_id", convId);
            json.writeNumberField("seq", roundSeq);
            json.writeStringField("created_at", createdAt);
            json.writeNumberField("first_message_seq", firstMessageSeq);
            json.writeNumberField("last_message_seq", lastMessageSeq);
            json.writeNumberField("already_stored", alreadyStored);
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a check's report: {@code {root, conversations, clean, repaired, findings: [{file,
     * conv_id, problem, detail, repaired}]}}, problems in lower case; the top-level
     * {@code repaired} tells whether every finding was repaired.
     */
    void checkReport(Path root, CheckReport report) {
        try {
            json.writeStartObject();
            json.writeStringField("root", root.toString());
            json.writeNumberField("conversations", report.conversations());
            json.writeBooleanField("clean", report.clean());
            json.writeBooleanField("repaired", !report.clean()
                    && report.findings().stream().allMatch(CheckReport.Finding::repaired));
            json.writeArrayFieldStart("findings");
            for (CheckReport.Finding finding : report.findings()) {
                json.writeStartObject();
                json.writeStringField("file", finding.file());
                if (finding.convId() == null) {
                    json.writeNullField("conv_id");
                } else {
                    json.writeStringField("conv_id", finding.convId());
                }
                json.writeStringField("problem", finding.problem().name().toLowerCase(Locale.ROOT));
                json.writeStringField("detail", finding.detail());
                json.writeBooleanField("repaired", finding.repaired());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }


    /**
     * Writes recall hits as a JSON array of {@code {conv_id, score, message}}, the message in
     * the stored format v2 (its seq, round_seq, created_at, tokens and content fields).
     */
    void hits(List<RecallHit> hits) {
        try {
            json.writeStartArray();
            for (RecallHit hit : hits) {
                json.writeStartObject();
                json.writeStringField("conv_id", hit.convId());
                json.writeNumberField("score", hit.score());
                json.writeFieldName("message");
                json.writeRawValue(new String(FormatCodec.encodeMessage(hit.message(), false),
                        StandardCharsets.UTF_8));
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the summaries as a JSON array of {@code {conv_id, revision, updated_at, counters}}.
     */
    void summaries(List<ConversationSummary> states) {
        try {
            json.writeStartArray();
            for (ConversationSummary state : states) {
                json.writeStartObject();
                json.writeStringField("conv_id", state.convId());
                json.writeNumberField("revision", state.revision());
                json.writeStringField("updated_at", state.updatedAt().toString());
                json.writeFieldName("counters");
                counters(state.counters());
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void counters(Counters counters) throws IOException {
        json.writeStartObject();
        json.writeNumberField("rounds_total", counters.roundsTotal());
        json.writeNumberField("messages_total", counters.messagesTotal());
        json.writeNumberField("compactions", counters.compactions());
        json.writeNumberField("compacted_rounds", counters.compactedRounds());
        json.writeNumberField("compacted_messages", counters.compactedMessages());
        json.writeNumberField("compaction_failures", counters.compactionFailures());
        json.writeNumberField("context_tokens", counters.contextTokens());
        json.writeNumberField("recent_tokens", counters.recentTokens());
        if (counters.lastCompactedAt().isPresent()) {
            json.writeStringField("last_compacted_at", counters.lastCompactedAt().get().toString());
        } else {
            json.writeNullField("last_compacted_at");
        }
        json.writeEndObject();
    }

    /**
     * Writes a prompt in the OpenAI chat format: a JSON array of {@code {role, content}}, with
     * {@code tool_calls} on an assistant message that calls tools and {@code tool_call_id} on a
     * tool result.
     */
    void openAiMessages(List<OpenAiMessage> messages) {
        try {
            json.writeStartArray();
            for (OpenAiMessage message : messages) {
                json.writeStartObject();
                json.writeStringField("role", message.role());
                if (message.content().isPresent()) {
                    json.writeStringField("content", message.content().get());
                } else {
                    json.writeNullField("content");
                }
                if (!message.toolCalls().isEmpty()) {
                    json.writeArrayFieldStart("tool_calls");
                    for (ToolCall call : message.toolCalls()) {
                        json.writeStartObject();
                        json.writeStringField("id", call.id());
                        json.writeStringField("type", "function");
                        json.writeObjectFieldStart("function");
                        json.writeStringField("name", call.name());
                        json.writeStringField("arguments", call.arguments());
                        json.writeEndObject();
                        json.writeEndObject();
                    }
                    json.writeEndArray();
                }
                if (message.toolCallId().isPresent()) {
                    json.writeStringField("tool_call_id", message.toolCallId().get());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes a prompt in Anthropic's Messages format: {@code {system, messages: [{role,
     * content: [blocks]}]}}, a tool call as a {@code tool_use} block whose {@code input} is the
     * call's arguments (kept as a string when they are not a JSON object), a tool result as a
     * {@code tool_result} block.
     */
    void anthropic(AnthropicPrompt prompt) {
        try {
            json.writeStartObject();
            json.writeStringField("system", prompt.system());
            json.writeArrayFieldStart("messages");
            for (AnthropicPrompt.AnthropicMessage message : prompt.messages()) {
                json.writeStartObject();
                json.writeStringField("role", message.role());
                json.writeArrayFieldStart("content");
                for (AnthropicPrompt.ContentBlock block : message.content()) {
                    json.writeStartObject();
                    if (block instanceof AnthropicPrompt.Text text) {
                        json.writeStringField("type", "text");
                        json.writeStringField("text", text.text());
                    } else if (block instanceof AnthropicPrompt.ToolUse use) {
                        json.writeStringField("type", "tool_use");
                        json.writeStringField("id", use.id());
                        json.writeStringField("name", use.name());
                        json.writeFieldName("input");
                        if (isJsonObject(use.inputJson())) {
                            json.writeRawValue(use.inputJson());
                        } else {
                            json.writeString(use.inputJson());
                        }
                    } else if (block instanceof AnthropicPrompt.ToolResult result) {
                        json.writeStringField("type", "tool_result");
                        json.writeStringField("tool_use_id", result.toolUseId());
                        json.writeStringField("content", result.content());
                        if (result.isError()) {
                            json.writeBooleanField("is_error", true);
                        }
                    }
                    json.writeEndObject();
                }
                json.writeEndArray();
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Tells whether {@code text} is exactly one JSON object, so it may be written raw. */
    private static boolean isJsonObject(String text) {
        try (JsonParser p = new JsonFactory().createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (IOException notJson) {
            return false;
        }
    }

    /** Ends the document with a newline and flushes it. */
    @Override
    public void close() {
        try {
            json.close();
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
