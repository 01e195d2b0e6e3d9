package dev.palimpsest.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.ToolCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads messages in the OpenAI chat format, the input of the launcher's {@code append --messages}
 * and {@code import} and of the HTTP API's appends: {@code {"role", "content", "tool_calls": [{"id", "type": "function",
 * "function": {"name", "arguments"}}], "tool_call_id", "name"}}, plus Palimpsest's own
 * {@code "id"} and {@code "metadata"} (an object of strings). Unknown fields are refused rather
 * than dropped, so a typo never silently loses part of a message.
 */
public final class ChatMessageJson {
    /** Nesting deeper than a message needs (4) is refused before it is parsed. */
    private static final int MAX_DEPTH = 16;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ChatMessageJson() {
    }

    /**
     * Parses a JSON array of messages.
     *
     * @param json  the document
     * @param where what it is, for messages ("standard input")
     * @return the messages, in order
     * @throws PalimpsestException of kind {@code INVALID_INPUT} naming the element and field that
     *         is wrong
     */
    public static List<Message> parseArray(String json, String where) {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw invalid(where + " must hold a JSON array of messages");
            }
            List<Message> messages = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                messages.add(message(p, where + ", message " + (messages.size() + 1)));
            }
            if (p.nextToken() != null) {
                throw invalid(where + " holds more after its array of messages");
            }
            return messages;
        } catch (JsonProcessingException e) {
            throw invalid(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw invalid(where + " cannot be parsed: " + e.getMessage(), e);
        }
    }

    /**
     * Parses one line of an import file: a message (an object with {@code "role"}), a round as
     * {@code {"messages": [...]}}, or a first-generation round {@code {"user", "assistant",
     * "metadata"}}.
     *
     * @param line  the line
     * @param where what it is ("line 12 of 'chat.jsonl'")
     * @return the messages of the line, in order
     * @throws PalimpsestException of kind {@code INVALID_INPUT} naming what is wrong
     */
    public static List<Message> parseLine(String line, String where) {
        try (JsonParser p = FACTORY.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid(where + " must hold a JSON object: a message or a round");
            }
            Map<String, Object> fields = object(p, where);
            if (p.nextToken() != null) {
                throw invalid(where + " holds more than one JSON value");
            }
            return lineMessages(fields, where);
        } catch (JsonProcessingException e) {
            throw invalid(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw invalid(where + " cannot be parsed: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Message> lineMessages(Map<String, Object> fields, String where) {
        if (fields.containsKey("role")) {
            return List.of(message(fields, where));
        }
        if (fields.containsKey("messages")) {
            only(fields, where, "messages");
            if (!(fields.get("messages") instanceof List<?> list) || list.isEmpty()) {
                throw invalid(where + ": \"messages\" must be a non-empty array");
            }
            List<Message> out = new ArrayList<>();
            for (Object element : list) {
                String what = where + ", message " + (out.size() + 1);
                if (!(element instanceof Map<?, ?> map)) {
                    throw invalid(what + " must be a JSON object");
                }
                out.add(message((Map<String, Object>) map, what));
            }
            return out;
        }
        if (fields.containsKey("user") || fields.containsKey("assistant")) {
            only(fields, where, "user", "assistant", "metadata", "created_at", "seq");
            Map<String, String> metadata = strings(fields.get("metadata"), where + ", metadata");
            String user = optionalText(fields, "user", where).orElse("");
            String assistant = optionalText(fields, "assistant", where).orElse("");
            return List.of(guard(() -> Message.user(user).withMetadata(metadata), where),
                    guard(() -> Message.assistant(assistant), where));
        }
        throw invalid(where + " is neither a message (no \"role\") nor a round (no "
                + "\"messages\", \"user\" or \"assistant\")");
    }

    private static Message message(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalid(where + " must be a JSON object");
        }
        return message(object(p, where), where);
    }

    @SuppressWarnings("unchecked")
    private static Message message(Map<String, Object> f, String where) {
        only(f, where, "role", "content", "tool_calls", "tool_call_id", "name", "id", "metadata");
        String roleName = optionalText(f, "role", where).orElseThrow(
                () -> invalid(where + " has no \"role\""));
        Role role;
        try {
            role = Role.ofWireName(roleName);
        } catch (RuntimeException e) {
            throw invalid(where + ": \"role\" must be system, user, assistant or "
                    + "tool, was '" + oneLine(roleName) + "'", e);
        }
        String content = f.get("content") == null ? "" : optionalText(f, "content", where)
                .orElse("");
        List<ToolCall> calls = new ArrayList<>();
        Object rawCalls = f.get("tool_calls");
        if (rawCalls != null) {
            if (!(rawCalls instanceof List<?> list)) {
                throw invalid(where + ": \"tool_calls\" must be an array");
            }
            for (Object element : list) {
                String what = where + ", tool call " + (calls.size() + 1);
                if (!(element instanceof Map<?, ?> map)) {
                    throw invalid(what + " must be a JSON object");
                }
                calls.add(toolCall((Map<String, Object>) map, what));
            }
        }
        Optional<String> callId = optionalText(f, "tool_call_id", where);
        Optional<String> name = optionalText(f, "name", where);
        Optional<String> id = optionalText(f, "id", where);
        Map<String, String> metadata = strings(f.get("metadata"), where + ", metadata");
        // The OpenAI format lets "name" label a user or assistant speaker; the model keeps a
        // name for tool results only, so elsewhere it is refused rather than dropped.
        return guard(() -> new Message(role, content, calls, callId, name, id, metadata), where);
    }

    @SuppressWarnings("unchecked")
    private static ToolCall toolCall(Map<String, Object> f, String where) {
        only(f, where, "id", "type", "function");
        Optional<String> type = optionalText(f, "type", where);
        if (type.isPresent() && !type.get().equals("function")) {
            throw invalid(where + ": \"type\" must be \"function\", was '"
                    + oneLine(type.get()) + "'");
        }
        if (!(f.get("function") instanceof Map<?, ?> function)) {
            throw invalid(where + " needs \"function\": {\"name\", \"arguments\"}");
        }
        Map<String, Object> fn = (Map<String, Object>) function;
        only(fn, where + ", function", "name", "arguments");
        String id = optionalText(f, "id", where).orElseThrow(
                () -> invalid(where + " has no \"id\""));
        String name = optionalText(fn, "name", where + ", function").orElseThrow(
                () -> invalid(where + " has no function \"name\""));
        String arguments = optionalText(fn, "arguments", where + ", function").orElse("{}");
        return guard(() -> new ToolCall(id, name, arguments), where);
    }

    private static <T> T guard(java.util.function.Supplier<T> build, String where) {
        try {
            return build.get();
        } catch (PalimpsestException invalid) {
            throw invalid(where + ": " + invalid.getMessage(), invalid);
        }
    }

    private static void only(Map<String, Object> fields, String where, String... allowed) {
        for (String key : fields.keySet()) {
            if (!List.of(allowed).contains(key)) {
                throw invalid(where + " has an unknown field \"" + oneLine(key)
                        + "\"; allowed: " + String.join(", ", allowed));
            }
        }
    }

    private static Optional<String> optionalText(Map<String, Object> fields, String key,
                                                 String where) {
        Object value = fields.get(key);
        if (value == null) {
            return Optional.empty();
        }
        if (!(value instanceof String text)) {
            throw invalid(where + ": \"" + key + "\" must be a string");
        }
        return Optional.of(text);
    }

    private static Map<String, String> strings(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(where + " must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw invalid(where + ": \"" + entry.getKey() + "\" must be a string");
            }
            out.put((String) entry.getKey(), text);
        }
        return out;
    }

    /** Reads the object the parser is at into maps, lists, strings, numbers and booleans. */
    private static Map<String, Object> object(JsonParser p, String where) throws IOException {
        Map<String, Object> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            fields.put(name, value(p, where));
        }
        return fields;
    }

    private static Object value(JsonParser p, String where) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> object(p, where);
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p, where));
                }
                yield list;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NULL -> null;
            case VALUE_TRUE, VALUE_FALSE -> p.getBooleanValue();
            default -> p.getNumberValue();
        };
    }

    private static PalimpsestException invalid(String message) {
        return new PalimpsestException(FailureKind.INVALID_INPUT, null, message, null);
    }

    private static PalimpsestException invalid(String message, Throwable cause) {
        return new PalimpsestException(FailureKind.INVALID_INPUT, null, message, cause);
    }

    /** A value quoted in a message, on one line: control characters escaped. */
    private static String oneLine(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
