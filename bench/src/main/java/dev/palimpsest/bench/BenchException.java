package dev.palimpsest.bench;

/** A benchmark or harness step failed; the message names the step. */
final class BenchException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what failed: detail
     * @param cause   the underlying failure, or {@code null}
     */
    BenchException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Creates the exception without a cause.
     *
     * @param message what failed: detail
     */
    BenchException(String message) {
        super(message);
    }
}
