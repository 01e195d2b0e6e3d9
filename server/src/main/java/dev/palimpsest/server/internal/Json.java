package dev.palimpsest.server.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.format.FormatCodec;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.ConversationSummary;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * The response bodies' JSON, written with Jackson's streaming API; field names in snake case as
 * the launcher's {@code --json} output has them, stored messages in the stored format v2.
 */
final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    /** What writes the fields of one object. */
    interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private Json() {
    }

    static byte[] object(Fields fields) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static void optional(JsonGenerator g, String name, Optional<String> value)
            throws IOException {
        if (value.isPresent()) {
            g.writeStringField(name, value.get());
        } else {
            g.writeNullField(name);
        }
    }

    static void summary(JsonGenerator g, ConversationSummary s) throws IOException {
        g.writeStartObject();
        summaryFields(g, s);
        g.writeEndObject();
    }

    static void summaryFields(JsonGenerator g, ConversationSummary s) throws IOException {
        g.writeStringField("conv_id", s.convId());
        g.writeNumberField("revision", s.revision());
        g.writeStringField("updated_at", s.updatedAt().toString());
        g.writeFieldName("counters");
        counters(g, s.counters());
    }

    static void counters(JsonGenerator g, Counters c) throws IOException {
        g.writeStartObject();
        g.writeNumberField("rounds_total", c.roundsTotal());
        g.writeNumberField("messages_total", c.messagesTotal());
        g.writeNumberField("compactions", c.compactions());
        g.writeNumberField("compacted_rounds", c.compactedRounds());
        g.writeNumberField("compacted_messages", c.compactedMessages());
        g.writeNumberField("compaction_failures", c.compactionFailures());
        g.writeNumberField("context_tokens", c.contextTokens());
        g.writeNumberField("recent_tokens", c.recentTokens());
        optional(g, "last_compacted_at", c.lastCompactedAt().map(Object::toString));
        g.writeEndObject();
    }

    static void appended(JsonGenerator g, AppendResult a) throws IOException {
        g.writeStringField("conv_id", a.convId());
        g.writeNumberField("revision", a.revision());
        g.writeNumberField("already_stored", a.alreadyStored());
        g.writeArrayFieldStart("messages");
        for (StoredMessage m : a.messages()) {
            stored(g, m);
        }
        g.writeEndArray();
        g.writeFieldName("counters");
        counters(g, a.counters());
    }

    static void stored(JsonGenerator g, StoredMessage m) throws IOException {
        g.writeRawValue(new String(FormatCodec.encodeMessage(m, false), StandardCharsets.UTF_8));
    }

    static void openAi(JsonGenerator g, List<OpenAiMessage> messages) throws IOException {
        g.writeStartArray();
        for (OpenAiMessage message : messages) {
            g.writeStartObject();
            g.writeStringField("role", message.role());
            optional(g, "content", message.content());
            if (!message.toolCalls().isEmpty()) {
                g.writeArrayFieldStart("tool_calls");
                for (ToolCall call : message.toolCalls()) {
                    g.writeStartObject();
                    g.writeStringField("id", call.id());
                    g.writeStringField("type", "function");
                    g.writeObjectFieldStart("function");
                    g.writeStringField("name", call.name());
                    g.writeStringField("arguments", call.arguments());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            if (message.toolCallId().isPresent()) {
                g.writeStringField("tool_call_id", message.toolCallId().get());
            }
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** A value quoted in a refusal, on one line and at most 200 characters. */
    static String oneLine(String value) {
        StringBuilder sb = new StringBuilder(Math.min(value.length(), 200) + 8);
        for (int i = 0; i < value.length() && sb.length() < 200; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return value.length() > 200 ? sb.append('…').toString() : sb.toString();
    }
}
