package dev.palimpsest.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP server that answers every request alike: with one fixed status (an
 * OpenAI-compatible endpoint that refuses, for summarizer failure paths), with a chat completion
 * after a delay (a slow summarizer), or never (a hung one). Bounded: it serves until closed, one
 * connection at a time, and a hung answer ends when the server closes.
 */
final class LoopbackHttpServer implements AutoCloseable {
    /** The summary a 200 answer carries. */
    static final String SUMMARY = "Summary from the loopback server.";

    private final ServerSocket socket;
    private final Thread thread;
    private final AtomicInteger requests = new AtomicInteger();
    private final long delayMillis;
    private final boolean hang;
    /** The connection being served, closed with the server so that a hung answer ends. */
    private volatile Socket current;
    private volatile String lastRequest = "";

    LoopbackHttpServer(int status, String reason) throws IOException {
        this(status, reason, 0, false);
    }

    private LoopbackHttpServer(int status, String reason, long delayMillis, boolean hang)
            throws IOException {
        this.delayMillis = delayMillis;
        this.hang = hang;
        socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> serve(status, reason), "loopback-http");
        thread.setDaemon(true);
        thread.start();
    }

    /** A server that reads each request and never answers it. */
    static LoopbackHttpServer hanging() throws IOException {
        return new LoopbackHttpServer(200, "OK", 0, true);
    }

    /** A server that answers each request with a chat completion after {@code delayMillis}. */
    static LoopbackHttpServer answeringAfter(long delayMillis) throws IOException {
        return new LoopbackHttpServer(200, "OK", delayMillis, false);
    }

    /** The base URL to give the summarizer. */
    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/v1");
    }

    int requests() {
        return requests.get();
    }

    /** The head and body of the last request served, as text ("" before the first). */
    String lastRequest() {
        return lastRequest;
    }

    private void serve(int status, String reason) {
        while (!socket.isClosed()) {
            try (Socket client = socket.accept()) {
                current = client;
                client.setSoTimeout(hang ? 0 : 10_000);
                lastRequest = readRequest(client.getInputStream());
                requests.incrementAndGet();
                if (hang) {
                    // Holds the connection until the client gives up or the server closes.
                    while (!socket.isClosed() && client.getInputStream().read() >= 0) {
                        continue;
                    }
                    continue;
                }
                Thread.sleep(delayMillis);
                byte[] body = (status == 200
                        ? "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\""
                        + SUMMARY + "\"}}]}"
                        : "{\"error\":{\"message\":\"refused by the test server\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 " + status + " " + reason + "\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
            } catch (IOException closedOrBroken) {
                // The server was closed, or a client went away: serve the next one, if any.
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Reads the head and the body (by Content-Length) of one request, and returns both. */
    private static String readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            byte[] h = head.toByteArray();
            int n = h.length;
            if (n >= 4 && h[n - 4] == '\r' && h[n - 3] == '\n' && h[n - 2] == '\r'
                    && h[n - 1] == '\n') {
                break;
            }
        }
        int length = 0;
        for (String line : head.toString(StandardCharsets.US_ASCII).split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        return head.toString(StandardCharsets.UTF_8)
                + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        Socket client = current;
        if (client != null) {
            client.close();
        }
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
