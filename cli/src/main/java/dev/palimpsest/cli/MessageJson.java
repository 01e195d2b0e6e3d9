package dev.palimpsest.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
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
 * Reads messages in the OpenAI chat format, the input of {@code append --messages} and
 * {@code import}: {@code {"role", "content", "tool_calls": [{"id", "type": "function",
 * "function": {"name", "arguments"}}], "tool_call_id", "name"}}, plus Palimpsest's own
 * {@code "id"} and {@code "metadata"} (an object of strings). Unknown fields are refused rather
 * than dropped, so a typo never silently loses part of a message.
 */
final class MessageJson {
    /** Nesting deeper than a message needs (4) is refused before it is parsed. */
    private static final int MAX_DEPTH = 16;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(Integer.MAX_VALUE)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private MessageJson() {
    }

    /**
     * Parses a JSON array of messages.
     *
     * @param json  the document
     * @param where what it is, for messages ("standard input")
     * @throws CliException exit 2 naming the element and field that is wrong
     */
    static List<Message> parseArray(String json, String where) {
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw CliException.usage(where + " must hold a JSON array of messages");
            }
            List<Message> messages = new ArrayList<>();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                messages.add(message(p, where + ", message " + (messages.size() + 1)));
            }
            if (p.nextToken() != null) {
                throw CliException.usage(where + " holds more after its array of messages");
            }
            return messages;
        } catch (JsonProcessingException e) {
            throw CliException.usage(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw CliException.usage(where + " cannot be parsed: " + e.getMessage(), e);
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
     * @throws CliException exit 2 naming what is wrong
     */
    static List<Message> parseLine(String line, String where) {
        try (JsonParser p = FACTORY.createParser(line)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw CliException.usage(where + " must hold a JSON object: a message or a round");
            }
            Map<String, Object> fields = object(p, where);
            if (p.nextToken() != null) {
                throw CliException.usage(where + " holds more than one JSON value");
            }
            return lineMessages(fields, where);
        } catch (JsonProcessingException e) {
            throw CliException.usage(where + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw CliException.usage(where + " cannot be parsed: " + e.getMessage(), e);
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
                throw CliException.usage(where + ": \"messages\" must be a non-empty array");
            }
            List<Message> out = new ArrayList<>();
            for (Object element : list) {
                String what = where + ", message " + (out.size() + 1);
                if (!(element instanceof Map<?, ?> map)) {
                    throw CliException.usage(what + " must be a JSON object");
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
        throw CliException.usage(where + " is neither a message (no \"role\") nor a round (no "
                + "\"messages\", \"user\" or \"assistant\")");
    }

    private static Message message(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw CliException.usage(where + " must be a JSON object");
        }
        return message(object(p, where), where);
    }

    @SuppressWarnings("unchecked")
    private static Message message(Map<String, Object> f, String where) {
        only(f, where, "role", "content", "tool_calls", "tool_call_id", "name", "id", "metadata");
        String roleName = optionalText(f, "role", where).orElseThrow(
                () -> CliException.usage(where + " has no \"role\""));
        Role role;
        try {
            role = Role.ofWireName(roleName);
        } catch (RuntimeException e) {
            throw CliException.usage(where + ": \"role\" must be system, user, assistant or "
                    + "tool, was '" + Text.oneLine(roleName) + "'", e);
        }
        String content = f.get("content") == null ? "" : optionalText(f, "content", where)
                .orElse("");
        List<ToolCall> calls = new ArrayList<>();
        Object rawCalls = f.get("tool_calls");
        if (rawCalls != null) {
            if (!(rawCalls instanceof List<?> list)) {
                throw CliException.usage(where + ": \"tool_calls\" must be an array");
            }
            for (Object element : list) {
                String what = where + ", tool call " + (calls.size() + 1);
                if (!(element instanceof Map<?, ?> map)) {
                    throw CliException.usage(what + " must be a JSON object");
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
            throw CliException.usage(where + ": \"type\" must be \"function\", was '"
                    + Text.oneLine(type.get()) + "'");
        }
        if (!(f.get("function") instanceof Map<?, ?> function)) {
            throw CliException.usage(where + " needs \"function\": {\"name\", \"arguments\"}");
        }
        Map<String, Object> fn = (Map<String, Object>) function;
        only(fn, where + ", function", "name", "arguments");
        String id = optionalText(f, "id", where).orElseThrow(
                () -> CliException.usage(where + " has no \"id\""));
        String name = optionalText(fn, "name", where + ", function").orElseThrow(
                () -> CliException.usage(where + " has no function \"name\""));
        String arguments = optionalText(fn, "arguments", where + ", function").orElse("{}");
        return guard(() -> new ToolCall(id, name, arguments), where);
    }

    private static <T> T guard(java.util.function.Supplier<T> build, String where) {
        try {
            return build.get();
        } catch (PalimpsestException invalid) {
            throw CliException.usage(where + ": " + invalid.getMessage(), invalid);
        }
    }

    private static void only(Map<String, Object> fields, String where, String... allowed) {
        for (String key : fields.keySet()) {
            if (!List.of(allowed).contains(key)) {
                throw CliException.usage(where + " has an unknown field \"" + Text.oneLine(key)
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
            throw CliException.usage(where + ": \"" + key + "\" must be a string");
        }
        return Optional.of(text);
    }

    private static Map<String, String> strings(Object value, String where) {
        if (value == null) {
            return Map.of();
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw CliException.usage(where + " must be an object of strings");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            if (!(entry.getValue() instanceof String text)) {
                throw CliException.usage(where + ": \"" + entry.getKey() + "\" must be a string");
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
}
