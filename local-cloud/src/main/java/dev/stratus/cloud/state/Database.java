package dev.stratus.cloud.state;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The local cloud's state: one SQLite file under its home. Every change is one transaction, so
 * a server killed at any moment restarts from a consistent state. One connection, used by one
 * thread at a time: the local cloud's write rate is far below what that allows.
 */
public final class Database implements AutoCloseable {

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Connection connection;

    public Database(Path file) throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement s = connection.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("PRAGMA foreign_keys=ON");
            s.execute("PRAGMA busy_timeout=5000");
        }
        connection.setAutoCommit(false);
    }

    /** Runs {@code work} in a transaction: all of it is committed, or none of it. */
    public synchronized <T> T transaction(Work<T> work) {
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException("local cloud database: " + e.getMessage(), e);
        }
    }

    /** Creates a feature's tables when they are not there yet. */
    public void schema(String... statements) {
        transaction(c -> {
            try (Statement s = c.createStatement()) {
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
            return null;
        });
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }
}
