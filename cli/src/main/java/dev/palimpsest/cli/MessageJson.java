package dev.palimpsest.cli;

import dev.palimpsest.format.ChatMessageJson;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Reads messages in the OpenAI chat format for {@code append --messages} and {@code import}:
 * {@link ChatMessageJson}, whose refusals are usage errors here (exit 2, as an invalid input is).
 */
final class MessageJson {
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
        return usage(() -> ChatMessageJson.parseArray(json, where));
    }

    /**
     * Parses one line of an import file: a message, a round as {@code {"messages": [...]}}, or a
     * first-generation round {@code {"user", "assistant", "metadata"}}.
     *
     * @param line  the line
     * @param where what it is ("line 12 of 'chat.jsonl'")
     * @return the messages of the line, in order
     * @throws CliException exit 2 naming what is wrong
     */
    static List<Message> parseLine(String line, String where) {
        return usage(() -> ChatMessageJson.parseLine(line, where));
    }

    private static <T> T usage(Supplier<T> parse) {
        try {
            return parse.get();
        } catch (PalimpsestException invalid) {
            throw CliException.usage(invalid.getMessage(), invalid);
        }
    }
}
