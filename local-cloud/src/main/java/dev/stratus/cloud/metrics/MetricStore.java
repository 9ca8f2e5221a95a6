package dev.stratus.cloud.metrics;

import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.state.Database;

/**
 * CloudWatch's metrics in the local cloud's database: a row per metric, a row per data point.
 * Single values are kept as they were put, so that percentiles can be computed exactly.
 */
final class MetricStore {

    /** ListMetrics answers 500 metrics a page, as CloudWatch does. */
    static final int PAGE_SIZE = 500;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> DIMENSIONS = new TypeReference<>() { };

    /** A metric; the namespace, name and the whole set of dimensions together are its identity. */
    record Metric(String namespace, String name, SortedMap<String, String> dimensions) {
    }

    /**
     * A data point, in epoch milliseconds: a value put {@code sampleCount} times ({@code isValue},
     * minimum = maximum = the value), or a statistic set, whose single values are unknown.
     */
    record Datum(long time, String unit, double sampleCount, double sum, double minimum, double maximum, boolean isValue) {

        static Datum value(long time, String unit, double value, double count) {
            return new Datum(time, unit, count, value * count, value, value, true);
        }

        /** A set whose minimum is its maximum is one value seen SampleCount times: CloudWatch gives its percentiles too. */
        static Datum statisticSet(long time, String unit, double sampleCount, double sum, double minimum, double maximum) {
            return new Datum(time, unit, sampleCount, sum, minimum, maximum, minimum == maximum && sum == minimum * sampleCount);
        }
    }

    /** The data points one PutMetricData entry (or one {@code put}) adds to a metric. */
    record Series(Metric metric, List<Datum> data) {
    }

    /** A ListMetrics dimension filter; a null value matches any value. */
    record DimensionFilter(String name, String value) {
    }

    /** One page of ListMetrics; {@code nextToken} is null on the last. */
    record Page(List<Metric> metrics, String nextToken) {
    }

    private final Database db;

    MetricStore(Database db) {
        this.db = db;
        // The dimensions column is a JSON object with sorted keys: one text per dimension set, so
        // that UNIQUE and equality give CloudWatch's exact match, and json_each filters by dimension.
        db.schema("CREATE TABLE IF NOT EXISTS cloudwatch_metric (id INTEGER PRIMARY KEY, namespace TEXT NOT NULL,"
                        + " name TEXT NOT NULL, dimensions TEXT NOT NULL, UNIQUE (namespace, name, dimensions))",
                "CREATE TABLE IF NOT EXISTS cloudwatch_datum (metric_id INTEGER NOT NULL REFERENCES cloudwatch_metric (id),"
                        + " time INTEGER NOT NULL, unit TEXT NOT NULL, sample_count REAL NOT NULL, sum REAL NOT NULL,"
                        + " minimum REAL NOT NULL, maximum REAL NOT NULL, is_value INTEGER NOT NULL)",
                "CREATE INDEX IF NOT EXISTS cloudwatch_datum_by_time ON cloudwatch_datum (metric_id, time)");
    }

    /** Adds the data points of one request, all or none. */
    void write(List<Series> series) {
        db.transaction(c -> {
            try (PreparedStatement addDatum = c.prepareStatement("INSERT INTO cloudwatch_datum (metric_id, time, unit,"
                    + " sample_count, sum, minimum, maximum, is_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (Series s : series) {
                    long metricId = metricId(c, s.metric());
                    for (Datum d : s.data()) {
                        addDatum.setLong(1, metricId);
                        addDatum.setLong(2, d.time());
                        addDatum.setString(3, d.unit());
                        addDatum.setDouble(4, d.sampleCount());
                        addDatum.setDouble(5, d.sum());
                        addDatum.setDouble(6, d.minimum());
                        addDatum.setDouble(7, d.maximum());
                        addDatum.setBoolean(8, d.isValue());
                        addDatum.addBatch();
                    }
                }
                addDatum.executeBatch();
            }
            return null;
        });
    }

    private static long metricId(Connection c, Metric metric) throws SQLException {
        String dimensions = json(metric.dimensions());
        try (PreparedStatement add = c.prepareStatement(
                "INSERT INTO cloudwatch_metric (namespace, name, dimensions) VALUES (?, ?, ?) ON CONFLICT DO NOTHING");
             PreparedStatement find = c.prepareStatement(
                     "SELECT id FROM cloudwatch_metric WHERE namespace = ? AND name = ? AND dimensions = ?")) {
            for (PreparedStatement s : List.of(add, find)) {
                s.setString(1, metric.namespace());
                s.setString(2, metric.name());
                s.setString(3, dimensions);
            }
            add.executeUpdate();
            try (ResultSet row = find.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    /** The metric's data points from {@code from} (inclusive) to {@code to} (exclusive), oldest first; of one unit unless it is null. */
    List<Datum> read(Metric metric, long from, long to, String unit) {
        return db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT d.time, d.unit, d.sample_count, d.sum, d.minimum, d.maximum,"
                    + " d.is_value FROM cloudwatch_datum d JOIN cloudwatch_metric m ON m.id = d.metric_id"
                    + " WHERE m.namespace = ? AND m.name = ? AND m.dimensions = ? AND d.time >= ? AND d.time < ?"
                    + " AND (? IS NULL OR d.unit = ?) ORDER BY d.time")) {
                s.setString(1, metric.namespace());
                s.setString(2, metric.name());
                s.setString(3, json(metric.dimensions()));
                s.setLong(4, from);
                s.setLong(5, to);
                s.setString(6, unit);
                s.setString(7, unit);
                List<Datum> data = new ArrayList<>();
                try (ResultSet row = s.executeQuery()) {
                    while (row.next()) {
                        data.add(new Datum(row.getLong(1), row.getString(2), row.getDouble(3), row.getDouble(4),
                                row.getDouble(5), row.getDouble(6), row.getBoolean(7)));
                    }
                }
                return data;
            }
        });
    }

    /**
     * Metrics matching every filter that is not null, in the order they were first put.
     * {@code activeSince}: only metrics with data points from then on. The page token is the
     * last metric's row id.
     */
    Page list(String namespace, String name, List<DimensionFilter> dimensions, Long activeSince, String pageToken) {
        long after = afterId(pageToken);
        StringBuilder sql = new StringBuilder("SELECT id, namespace, name, dimensions FROM cloudwatch_metric m"
                + " WHERE id > ? AND (? IS NULL OR namespace = ?) AND (? IS NULL OR name = ?)");
        dimensions.forEach(d -> sql.append(" AND EXISTS (SELECT 1 FROM json_each(m.dimensions) WHERE key = ? AND (? IS NULL OR value = ?))"));
        if (activeSince != null) {
            sql.append(" AND EXISTS (SELECT 1 FROM cloudwatch_datum WHERE metric_id = m.id AND time >= ?)");
        }
        sql.append(" ORDER BY id LIMIT ").append(PAGE_SIZE + 1);
        return db.transaction(c -> {
            try (PreparedStatement s = c.prepareStatement(sql.toString())) {
                int p = 0;
                s.setLong(++p, after);
                for (String text : new String[] {namespace, namespace, name, name}) {
                    s.setString(++p, text);
                }
                for (DimensionFilter d : dimensions) {
                    s.setString(++p, d.name());
                    s.setString(++p, d.value());
                    s.setString(++p, d.value());
                }
                if (activeSince != null) {
                    s.setLong(++p, activeSince);
                }
                List<Metric> metrics = new ArrayList<>();
                long lastId = after;
                try (ResultSet row = s.executeQuery()) {
                    while (metrics.size() < PAGE_SIZE && row.next()) {
                        lastId = row.getLong(1);
                        metrics.add(new Metric(row.getString(2), row.getString(3), dimensions(row.getString(4))));
                    }
                    return new Page(metrics, row.next() ? Long.toString(lastId) : null);
                }
            }
        });
    }

    private static long afterId(String pageToken) {
        if (pageToken == null) {
            return 0;
        }
        try {
            return Long.parseLong(pageToken);
        } catch (NumberFormatException e) {
            throw new AwsException(400, "InvalidNextToken", "The NextToken " + pageToken + " was not given by ListMetrics.");
        }
    }

    private static String json(SortedMap<String, String> dimensions) {
        try {
            return JSON.writeValueAsString(dimensions);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static SortedMap<String, String> dimensions(String json) {
        try {
            return JSON.readValue(json, DIMENSIONS);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
