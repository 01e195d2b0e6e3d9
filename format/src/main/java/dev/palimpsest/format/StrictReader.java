package dev.palimpsest.format;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A strict pull reader over Jackson's streaming parser: every value is read with the type it must
 * have, and every failure is {@code CORRUPT} naming the path of the value (for example
 * {@code recent_rounds[3].messages[0].role}).
 */
final class StrictReader implements AutoCloseable {
    private final JsonParser parser;
    private final String what;

    StrictReader(JsonParser parser, String what) {
        this.parser = parser;
        this.what = what;
    }

    PalimpsestException corrupt(String path, String detail) {
        return new PalimpsestException(FailureKind.CORRUPT, what + ": " + path + ": " + detail);
    }

    private PalimpsestException corrupt(String path, IOException e) {
        String detail = e instanceof StreamConstraintsException s
                ? "too large or too deep: " + s.getOriginalMessage()
                : e instanceof JsonProcessingException j ? "not valid JSON: " + j.getOriginalMessage()
                : e.toString();
        return new PalimpsestException(FailureKind.CORRUPT, null, what + ": " + path + ": " + detail,
                e);
    }

    private JsonToken next(String path) {
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw corrupt(path, "ends early");
            }
            return t;
        } catch (IOException e) {
            throw corrupt(path, e);
        }
    }

    void startObject(String path) {
        if (next(path) != JsonToken.START_OBJECT) {
            throw corrupt(path, "must be an object");
        }
    }

    /** Whether the array at {@code path} starts (true) or the value is not an array (corrupt). */
    void startArray(String path) {
        if (next(path) != JsonToken.START_ARRAY) {
            throw corrupt(path, "must be an array");
        }
    }

    /** The next field name of the current object, or null at its end. */
    String nextField(String path) {
        JsonToken t = next(path);
        if (t == JsonToken.END_OBJECT) {
            return null;
        }
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw corrupt(path, e);
        }
    }

    /** Whether another element follows in the current array; consumes its first token. */
    boolean nextElement(String path) {
        return next(path) != JsonToken.END_ARRAY;
    }

    /** The current token (after {@link #nextElement}) must start an object. */
    void currentIsObject(String path) {
        if (parser.currentToken() != JsonToken.START_OBJECT) {
            throw corrupt(path, "must be an object");
        }
    }

    String text(String path) {
        if (next(path) != JsonToken.VALUE_STRING) {
            throw corrupt(path, "must be a string");
        }
        try {
            return parser.getText();
        } catch (IOException e) {
            throw corrupt(path, e);
        }
    }

    /** The current token (after {@link #nextElement}) as a string. */
    String currentText(String path) {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw corrupt(path, "must be a string");
        }
        try {
            return parser.getText();
        } catch (IOException e) {
            throw corrupt(path, e);
        }
    }

    long number(String path, long min) {
        if (next(path) != JsonToken.VALUE_NUMBER_INT) {
            throw corrupt(path, "must be an integer");
        }
        try {
            if (parser.getNumberType() != JsonParser.NumberType.INT
                    && parser.getNumberType() != JsonParser.NumberType.LONG) {
                throw corrupt(path, "is out of range");
            }
            long v = parser.getLongValue();
            if (v < min) {
                throw corrupt(path, "must be >= " + min + ", was " + v);
            }
            return v;
        } catch (IOException e) {
            throw corrupt(path, e);
        }
    }

    Instant instant(String path) {
        String s = text(path);
        try {
            return IsoInstant.parse(s);
        } catch (DateTimeParseException e) {
            throw corrupt(path, "must be an ISO-8601 UTC time, was '" + s + "'");
        }
    }

    /** An instant, or null for a JSON null. */
    Instant optionalInstant(String path) {
        JsonToken t = next(path);
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.VALUE_STRING) {
            throw corrupt(path, "must be a string or null");
        }
        try {
            return IsoInstant.parse(parser.getText());
        } catch (IOException e) {
            throw corrupt(path, e);
        } catch (DateTimeParseException e) {
            throw corrupt(path, "must be an ISO-8601 UTC time");
        }
    }

    /** Checks that nothing but whitespace follows the root value. */
    void end() {
        try {
            if (parser.nextToken() != null) {
                throw corrupt("(root)", "trailing data after the value");
            }
        } catch (IOException e) {
            throw corrupt("(root)", e);
        }
    }

    PalimpsestException unknown(String path, String field) {
        return corrupt(path, "unknown field '" + field + "'");
    }

    PalimpsestException missing(String path, String field) {
        return corrupt(path, "missing field '" + field + "'");
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            throw corrupt("(root)", e);
        }
    }
}
