package dev.stratus.cloud.alarms;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.state.Database;

/**
 * Alarms and their history in the local cloud's database: a row per alarm (the alarm as JSON), a row per history
 * item. Each method is one transaction; callers that read, decide and write hold their own lock around the three.
 */
final class AlarmStore {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** An item of DescribeAlarmHistory: ConfigurationUpdate or StateUpdate, {@code data} its JSON text. */
    record HistoryItem(String alarmName, long time, String type, String summary, String data) {
    }

    private final Database db;

    AlarmStore(Database db) {
        this.db = db;
        db.schema("CREATE TABLE IF NOT EXISTS cloudwatch_alarm (name TEXT PRIMARY KEY, alarm TEXT NOT NULL)",
                "CREATE TABLE IF NOT EXISTS cloudwatch_alarm_history (id INTEGER PRIMARY KEY, alarm_name TEXT NOT NULL,"
                        + " time INTEGER NOT NULL, type TEXT NOT NULL, summary TEXT NOT NULL, data TEXT NOT NULL)",
                "CREATE INDEX IF NOT EXISTS cloudwatch_alarm_history_by_time ON cloudwatch_alarm_history (time)");
    }

    Optional<MetricAlarm> get(String name) {
        return db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT alarm FROM cloudwatch_alarm WHERE name = ?")) {
                s.setString(1, name);
                try (ResultSet row = s.executeQuery()) {
                    return row.next() ? Optional.of(alarm(row.getString(1))) : Optional.empty();
                }
            }
        });
    }

    /** Every alarm, by name, as DescribeAlarms lists them. */
    List<MetricAlarm> all() {
        return db.transaction(c -> {
            List<MetricAlarm> alarms = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT alarm FROM cloudwatch_alarm ORDER BY name");
                 ResultSet row = s.executeQuery()) {
                while (row.next()) {
                    alarms.add(alarm(row.getString(1)));
                }
            }
            return alarms;
        });
    }

    /** Creates or replaces the alarm and adds its history items. */
    void save(MetricAlarm alarm, List<HistoryItem> history) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "INSERT INTO cloudwatch_alarm (name, alarm) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET alarm = excluded.alarm")) {
                s.setString(1, alarm.name());
                s.setString(2, json(alarm));
                s.executeUpdate();
            }
            add(c, history);
            return null;
        });
    }

    /** Deletes the alarm; its history stays, with {@code item} last. */
    void delete(String name, HistoryItem item) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM cloudwatch_alarm WHERE name = ?")) {
                s.setString(1, name);
                s.executeUpdate();
            }
            add(c, List.of(item));
            return null;
        });
    }

    private static void add(Connection c, List<HistoryItem> history) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(
                "INSERT INTO cloudwatch_alarm_history (alarm_name, time, type, summary, data) VALUES (?, ?, ?, ?, ?)")) {
            for (HistoryItem item : history) {
                s.setString(1, item.alarmName());
                s.setLong(2, item.time());
                s.setString(3, item.type());
                s.setString(4, item.summary());
                s.setString(5, item.data());
                s.addBatch();
            }
            s.executeBatch();
        }
    }

    /**
     * History items from {@code from} (inclusive) to {@code to} (exclusive), oldest first (in the order they were
     * written where times are equal), of one alarm and one type unless those are null.
     */
    List<HistoryItem> history(String alarmName, String type, long from, long to) {
        return db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT alarm_name, time, type, summary, data FROM cloudwatch_alarm_history"
                    + " WHERE time >= ? AND time < ? AND (? IS NULL OR alarm_name = ?) AND (? IS NULL OR type = ?) ORDER BY time, id")) {
                s.setLong(1, from);
                s.setLong(2, to);
                s.setString(3, alarmName);
                s.setString(4, alarmName);
                s.setString(5, type);
                s.setString(6, type);
                List<HistoryItem> items = new ArrayList<>();
                try (ResultSet row = s.executeQuery()) {
                    while (row.next()) {
                        items.add(new HistoryItem(row.getString(1), row.getLong(2), row.getString(3), row.getString(4),
                                row.getString(5)));
                    }
                }
                return items;
            }
        });
    }

    /** Drops history items older than {@code before}. */
    void forget(long before) {
        db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM cloudwatch_alarm_history WHERE time < ?")) {
                s.setLong(1, before);
                s.executeUpdate();
            }
            return null;
        });
    }

    private static String json(MetricAlarm alarm) {
        try {
            return JSON.writeValueAsString(alarm);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MetricAlarm alarm(String json) {
        try {
            return JSON.readValue(json, MetricAlarm.class);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
