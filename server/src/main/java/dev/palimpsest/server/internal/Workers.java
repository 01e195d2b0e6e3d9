package dev.palimpsest.server.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The serving threads: a fixed number, and a bound on the requests waiting for one. The JDK
 * server hands over a connection before it reads the request's headers, so a request past
 * the bound cannot be refused there without its thread reading them; it is queued marked as
 * overloaded instead, and answered 503 as soon as a thread takes it, without reading its body.
 */
public final class Workers implements Executor {
    private final ThreadPoolExecutor pool;
    private final AtomicInteger pending = new AtomicInteger();
    private final int bound;

    /**
     * Threads named {@code palimpsest-http-N}.
     *
     * @param threads   how many serve requests
     * @param maxQueued how many requests may wait beyond them before the others get 503
     */
    public Workers(int threads, int maxQueued) {
        AtomicInteger number = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "palimpsest-http-" + number.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.bound = threads + maxQueued;
    }

    @Override
    public void execute(Runnable exchange) {
        boolean overloaded = pending.incrementAndGet() > bound;
        try {
            pool.execute(() -> {
                Api.OVERLOADED.set(overloaded);
                try {
                    exchange.run();
                } finally {
                    Api.OVERLOADED.remove();
                    pending.decrementAndGet();
                }
            });
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            throw e;
        }
    }

    /** {@return the pool, to shut down} */
    public ExecutorService pool() {
        return pool;
    }
}
