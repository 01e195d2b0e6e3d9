package dev.palimpsest.store.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * Where the store's sessions come from: a caller's {@link DataSource} (its own pool, if it
 * has one), or a small bounded pool of {@link DriverManager} connections when the store opens
 * from a URL. A connection that failed as a connection is closed rather than reused.
 */
abstract class Connections implements AutoCloseable {

    /**
     * {@return a session for one operation}, waiting for a free one up to the pool's bound
     *
     * @throws SQLException if none can be had
     */
    abstract Session borrow() throws SQLException;

    /**
     * Gives a session back.
     *
     * @param session the borrowed session
     * @param broken  whether it failed as a connection, so that it must not be reused
     */
    abstract void giveBack(Session session, boolean broken);

    @Override
    public abstract void close();

    static Connections of(DataSource dataSource) {
        return new Connections() {
            @Override
            Session borrow() throws SQLException {
                return new Session(dataSource.getConnection());
            }

            @Override
            void giveBack(Session session, boolean broken) {
                closeQuietly(session.connection());
            }

            @Override
            public void close() {
                // The caller's DataSource is the caller's to close.
            }
        };
    }

    static Connections pool(String jdbcUrl, Properties properties, int size, Duration wait) {
        return new Pool(jdbcUrl, properties, size, wait);
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // Closing a broken connection fails as it broke; nothing more to do with it.
        }
    }

    /** At most {@code size} connections, idle ones kept for the next operation. */
    private static final class Pool extends Connections {
        private final String url;
        private final Properties properties;
        private final Semaphore permits;
        private final Duration wait;
        private final Deque<Session> idle = new ArrayDeque<>();
        private boolean closed;

        Pool(String url, Properties properties, int size, Duration wait) {
            this.url = url;
            this.properties = properties;
            this.permits = new Semaphore(size, true);
            this.wait = wait;
        }

        @Override
        Session borrow() throws SQLException {
            try {
                if (!permits.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new SQLException("no free connection to the database within "
                            + wait.toMillis() + " ms", "08001");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted waiting for a connection", "08001", e);
            }
            try {
                synchronized (this) {
                    if (closed) {
                        throw new SQLException("the store is closed", "08003");
                    }
                    Session s = idle.pollFirst();
                    if (s != null) {
                        return s;
                    }
                }
                return new Session(DriverManager.getConnection(url, properties));
            } catch (SQLException | RuntimeException e) {
                permits.release();
                throw e;
            }
        }

        @Override
        void giveBack(Session session, boolean broken) {
            boolean keep = !broken;
            synchronized (this) {
                if (keep && !closed) {
                    idle.addFirst(session);
                } else {
                    keep = false;
                }
            }
            if (!keep) {
                closeQuietly(session.connection());
            }
            permits.release();
        }

        @Override
        public void close() {
            synchronized (this) {
                closed = true;
                for (Session idleSession : idle) {
                    closeQuietly(idleSession.connection());
                }
                idle.clear();
            }
        }
    }
}
