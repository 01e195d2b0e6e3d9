package dev.palimpsest.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** What the tests pick out of the launcher's JSON output without binding it to a type. */
final class JsonValues {
    private JsonValues() {
    }

    /** The text of every value of a field named {@code field}, at any depth, in order. */
    static List<String> of(String json, String field) {
        List<String> values = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME && parser.currentName().equals(field)) {
                    parser.nextToken();
                    values.add(parser.getText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + json, e);
        }
        return values;
    }
}
