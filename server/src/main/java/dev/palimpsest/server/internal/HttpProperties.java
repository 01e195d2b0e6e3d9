package dev.palimpsest.server.internal;

import dev.palimpsest.server.ServerLimits;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bounds the JDK server reads from system properties, once, when its first server starts:
 * header size and count, the time to send a request's headers, to read a response, and idle
 * time. Set here before the first server of the JVM, unless the user set them.
 */
public final class HttpProperties {
    private static final System.Logger LOG = System.getLogger(HttpProperties.class.getName());
    private static Map<String, String> applied;

    private HttpProperties() {
    }

    /**
     * Sets the properties of {@code limits} that are not set yet; a later call with other
     * limits logs that the first ones hold.
     *
     * @param limits the server's limits
     */
    public static synchronized void apply(ServerLimits limits) {
        Map<String, String> wanted = new LinkedHashMap<>();
        wanted.put("sun.net.httpserver.maxReqHeaderSize", String.valueOf(limits.maxHeaderBytes()));
        wanted.put("sun.net.httpserver.maxReqTime", String.valueOf(
                Math.max(1, limits.requestTimeout().toSeconds())));
        wanted.put("sun.net.httpserver.maxRspTime", String.valueOf(
                Math.max(1, limits.responseTimeout().toSeconds())));
        wanted.put("sun.net.httpserver.idleInterval", String.valueOf(
                Math.max(1, limits.idleTimeout().toSeconds())));
        // Without it a response's headers and body leave in two small writes that Nagle's
        // algorithm and the client's delayed ACK hold back about 40 ms (measured: figure 9).
        wanted.put("sun.net.httpserver.nodelay", "true");
        if (applied == null) {
            for (Map.Entry<String, String> e : wanted.entrySet()) {
                if (System.getProperty(e.getKey()) == null) {
                    System.setProperty(e.getKey(), e.getValue());
                }
            }
            applied = wanted;
        } else if (!applied.equals(wanted)) {
            LOG.log(System.Logger.Level.WARNING, "the JDK server's header and timeout limits are"
                    + " fixed per JVM by its first server: " + applied + " hold, not " + wanted);
        }
    }
}
