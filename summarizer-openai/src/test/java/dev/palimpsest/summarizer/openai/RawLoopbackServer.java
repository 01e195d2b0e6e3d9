package dev.palimpsest.summarizer.openai;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A loopback TCP server whose every connection is handed to one handler, for answers no HTTP
 * server library gives: none at all, a cut one, a plain one where TLS is expected. Serves on one
 * daemon thread until closed; each connection is closed after its handler returns.
 */
final class RawLoopbackServer implements AutoCloseable {
    /** What the server does with one accepted connection. */
    @FunctionalInterface
    interface Handler {
        void handle(Socket connection) throws IOException;
    }

    private final ServerSocket socket;
    private final Thread thread;

    RawLoopbackServer(Handler handler) throws IOException {
        socket = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        thread = new Thread(() -> serve(handler), "raw-loopback-server");
        thread.setDaemon(true);
        thread.start();
    }

    /** The base URL of this server with the given scheme. */
    URI baseUrl(String scheme) {
        return URI.create(scheme + "://127.0.0.1:" + socket.getLocalPort() + "/v1");
    }

    private void serve(Handler handler) {
        while (!socket.isClosed()) {
            try (Socket connection = socket.accept()) {
                connection.setSoTimeout(10_000);
                handler.handle(connection);
            } catch (IOException closedOrBroken) {
                // The server was closed, or a client went away: serve the next one, if any.
            }
        }
    }

    /** Reads the head and the body (by Content-Length) of one HTTP request. */
    static void readRequest(InputStream in) throws IOException {
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
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring("content-length:".length()).trim());
            }
        }
        in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
