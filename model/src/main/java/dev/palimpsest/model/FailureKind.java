package dev.palimpsest.model;

/**
 * What went wrong, in the terms a caller acts on. The command line maps a kind to its exit code
 * and the HTTP API to its status, so both stay in step with one switch instead of an
 * {@code instanceof} ladder over unrelated exception types.
 */
public enum FailureKind {
    /** The request itself is wrong: a malformed id, message or argument. */
    INVALID_INPUT(2, 400),
    /** The request is well formed but larger than a configured limit. */
    TOO_LARGE(2, 413),
    /** The conversation (or the message or range asked for) does not exist. */
    NOT_FOUND(3, 404),
    /** Stored data cannot be read back: a damaged file or record, or a newer schema. */
    CORRUPT(4, 500),
    /** The request contradicts what is stored: a message id reused with other content, a stale compaction. */
    CONFLICT(5, 409),
    /** An expectation the caller set (revision, next sequence number) no longer holds. */
    REVISION_MISMATCH(5, 412),
    /** The storage failed before anything was changed; retrying may succeed. */
    IO(6, 503),
    /** The storage failed after the change may have become durable; read before retrying. */
    DURABILITY_UNKNOWN(6, 500),
    /** The summarizer failed; the rounds it was given stay verbatim. */
    SUMMARIZER(7, 502);

    private final int exitCode;
    private final int httpStatus;

    FailureKind(int exitCode, int httpStatus) {
        this.exitCode = exitCode;
        this.httpStatus = httpStatus;
    }

    /** {@return the exit code of the {@code palimpsest} command for this kind} */
    public int exitCode() {
        return exitCode;
    }

    /** {@return the HTTP status the server answers with for this kind} */
    public int httpStatus() {
        return httpStatus;
    }
}
