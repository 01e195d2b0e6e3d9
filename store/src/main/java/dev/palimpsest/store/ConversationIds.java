package dev.palimpsest.store;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;

/** The rule every store applies to a conversation id, so an id valid in one is valid in all. */
public final class ConversationIds {
    /** The longest id accepted, in UTF-8 bytes. */
    public static final int MAX_ID_BYTES = 1024;

    /**
     * The order of ids in a listing: by code point, which is the order of their UTF-8 bytes
     * (a database's {@code COLLATE "C"}), not {@link String#compareTo}'s UTF-16 order.
     */
    public static final Comparator<String> ORDER = ConversationIds::compareCodePoints;

    private ConversationIds() {
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    /**
     * Checks a conversation id: not empty, valid Unicode text (no unpaired surrogate), at most
     * {@value #MAX_ID_BYTES} UTF-8 bytes.
     *
     * @param convId the id
     * @return the id
     * @throws PalimpsestException of kind {@code INVALID_INPUT} saying what is wrong
     */
    public static String check(String convId) {
        if (convId == null) {
            throw PalimpsestException.invalid("conversation id must not be null");
        }
        if (convId.isEmpty()) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, convId,
                    "conversation id is empty");
        }
        if (convId.length() > MAX_ID_BYTES) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, null,
                    "conversation id is longer than " + MAX_ID_BYTES + " bytes");
        }
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(convId));
        } catch (CharacterCodingException e) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, null,
                    "conversation id holds an unpaired surrogate", e);
        }
        if (encoded.remaining() > MAX_ID_BYTES) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, null,
                    "conversation id is longer than " + MAX_ID_BYTES + " bytes");
        }
        return convId;
    }
}
