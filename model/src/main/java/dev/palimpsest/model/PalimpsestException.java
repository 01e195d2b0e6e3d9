package dev.palimpsest.model;

import java.util.Objects;
import java.util.Optional;

/**
 * The one failure type of Palimpsest. It carries a {@link FailureKind} that callers switch on,
 * the conversation it concerns (when there is one), and the cause. Its message reads "what failed:
 * detail" in the user's terms.
 */
public class PalimpsestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    private final FailureKind kind;
    /** The conversation concerned, or null. */
    private final String convId;

    /**
     * A failure that concerns no conversation.
     *
     * @param kind    what went wrong
     * @param message what failed, in the user's terms
     */
    public PalimpsestException(FailureKind kind, String message) {
        this(kind, null, message, null);
    }

    /**
     * A failure concerning one conversation.
     *
     * @param kind    what went wrong
     * @param convId  the conversation
     * @param message what failed, in the user's terms
     */
    public PalimpsestException(FailureKind kind, String convId, String message) {
        this(kind, convId, message, null);
    }

    /**
     * A failure with a cause.
     *
     * @param kind    what went wrong
     * @param convId  the conversation, or null when it concerns none
     * @param message what failed, in the user's terms
     * @param cause   the underlying failure, or null
     */
    public PalimpsestException(FailureKind kind, String convId, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.convId = convId;
    }

    /** {@return what went wrong, for callers to switch on} */
    public FailureKind kind() {
        return kind;
    }

    /** {@return the conversation the failure concerns, if it concerns one} */
    public Optional<String> convId() {
        return Optional.ofNullable(convId);
    }

    /**
     * {@return a failure of kind {@link FailureKind#INVALID_INPUT}}
     *
     * @param message what is invalid
     */
    public static PalimpsestException invalid(String message) {
        return new PalimpsestException(FailureKind.INVALID_INPUT, message);
    }
}
