package dev.palimpsest.summarizer.openai;

import java.io.Serial;
import java.net.URI;
import java.util.Objects;

/**
 * {@link OpenAiSummarizer.Builder#build()} refused to send an API key over plain HTTP to a host
 * that is not on the loopback interface. Thrown before any request is made; use an
 * {@code https://} URL, or {@link OpenAiSummarizer.Builder#allowPlainHttp(boolean)} on a trusted
 * network.
 */
public final class InsecureEndpointException extends IllegalStateException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The refused endpoint; a URI is serializable. */
    private final URI endpoint;

    /**
     * Creates the exception.
     *
     * @param endpoint the endpoint the key would have gone to
     * @param message  what was refused and what to do
     */
    public InsecureEndpointException(URI endpoint, String message) {
        super(message);
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * Returns the endpoint the key would have gone to.
     *
     * @return the endpoint, {@code http://...}
     */
    public URI endpoint() {
        return endpoint;
    }
}
