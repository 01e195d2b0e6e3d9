package dev.palimpsest.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A one-line progress report on standard error for work that can take a while (a check of many
 * files, a long transcript, a slow compaction), shown only when standard error is a terminal and
 * only once the work has run for {@link #DELAY_MILLIS}: scripts and quick commands see nothing.
 * The line is redrawn in place ({@code \r}) a few times a second and erased when the work ends.
 */
final class Progress implements AutoCloseable {
    /** How long work runs before its progress shows. */
    static final long DELAY_MILLIS = 700;
    private static final long REDRAW_MILLIS = 250;

    private final PrintStream err;
    private final Thread ticker;
    private final long started = System.nanoTime();
    private volatile String status;
    private boolean drawn;
    private volatile boolean closed;

    private Progress(PrintStream err, String status) {
        this.err = err;
        this.status = status;
        this.ticker = new Thread(this::tick, "palimpsest-progress");
        ticker.setDaemon(true);
    }

    /**
     * Starts reporting {@code status}, if standard error is a terminal.
     *
     * @param terminal the run's terminal
     * @param status   what is being done, for example {@code checking files}
     * @return the report; close it when the work ends
     */
    static Progress start(Terminal terminal, String status) {
        Progress progress = new Progress(terminal.err(), status);
        if (terminal.errIsTerminal()) {
            progress.ticker.start();
        }
        return progress;
    }

    /**
     * Replaces what the line says (cheap: the ticker thread draws it).
     *
     * @param newStatus for example {@code 1,200 of 10,000 files}
     */
    void update(String newStatus) {
        status = newStatus;
    }

    private void tick() {
        try {
            Thread.sleep(DELAY_MILLIS);
            while (!closed) {
                draw();
                Thread.sleep(REDRAW_MILLIS);
            }
        } catch (InterruptedException e) {
            // Closed: the line is erased by close().
        }
    }

    private synchronized void draw() {
        if (closed) {
            return;
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        // \r and erase-to-end-of-line: the line is redrawn in place, never scrolls.
        err.print("\r" + Text.preview(status, 100)
                + String.format(Locale.ROOT, " (%d s)", seconds) + "\u001b[K");
        err.flush();
        drawn = true;
    }

    /** Stops reporting and erases the line, so that what follows starts on a clean line. */
    @Override
    public void close() {
        closed = true;
        ticker.interrupt();
        synchronized (this) {
            if (drawn) {
                err.print("\r\u001b[K");
                err.flush();
                drawn = false;
            }
        }
    }
}
