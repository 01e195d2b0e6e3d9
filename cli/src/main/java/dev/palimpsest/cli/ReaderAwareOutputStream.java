package dev.palimpsest.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.BooleanSupplier;

/**
 * Standard output that tells a reader gone away from any other write error. On a pipe or a
 * socket, the only write error is the reader's end being closed ({@code EPIPE}, or a reset
 * connection), so every failure there becomes a {@link StandardOutputClosedException}; on a
 * file or a device (a full disk, {@code /dev/full}) the {@link IOException} stays, for the
 * launcher to report as exit 6.
 */
final class ReaderAwareOutputStream extends FilterOutputStream {
    private final BooleanSupplier pipe;

    /**
     * Wraps a stream.
     *
     * @param out  the stream, written through unbuffered
     * @param pipe whether it is a pipe or a socket (asked only when a write fails)
     */
    ReaderAwareOutputStream(OutputStream out, BooleanSupplier pipe) {
        super(out);
        this.pipe = pipe;
    }

    /**
     * Wraps a stream whose kind is known.
     *
     * @param out  the stream, written through unbuffered
     * @param pipe whether it is a pipe or a socket
     */
    ReaderAwareOutputStream(OutputStream out, boolean pipe) {
        this(out, () -> pipe);
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw classify(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw classify(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw classify(e);
        }
    }

    private IOException classify(IOException e) {
        // Off Linux the kind of descriptor is unknown; the reader's close still names itself.
        if (pipe.getAsBoolean() || String.valueOf(e.getMessage()).contains("Broken pipe")) {
            throw new StandardOutputClosedException(e);
        }
        return e;
    }
}
