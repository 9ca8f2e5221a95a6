package dev.stratus.cloud.training;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.state.Database;

/**
 * Training jobs in the database: each row keeps the job's DescribeTrainingJob answer as JSON,
 * plus the columns that listing filters and sorts on. Every change is one transaction.
 */
final class TrainingJobStore {

    private final Database db;

    TrainingJobStore(Database db) {
        this.db = db;
        db.schema("""
                CREATE TABLE IF NOT EXISTS training_jobs (
                    name TEXT PRIMARY KEY,
                    status TEXT NOT NULL,
                    creation_time REAL NOT NULL,
                    last_modified_time REAL NOT NULL,
                    description TEXT NOT NULL)""");
    }

    /** Inserts a new job; false when the name is taken. */
    boolean insert(ObjectNode description) {
        return db.transaction(c -> {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM training_jobs WHERE name = ?")) {
                exists.setString(1, description.path("TrainingJobName").asText());
                if (exists.executeQuery().next()) {
                    return false;
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO training_jobs (name, status, creation_time, last_modified_time, description) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, description.path("TrainingJobName").asText());
                insert.setString(2, description.path("TrainingJobStatus").asText());
                insert.setDouble(3, description.path("CreationTime").asDouble());
                insert.setDouble(4, description.path("LastModifiedTime").asDouble());
                insert.setString(5, json(description));
                insert.executeUpdate();
            }
            return true;
        });
    }

    Optional<ObjectNode> find(String name) {
        return db.transaction(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT description FROM training_jobs WHERE name = ?")) {
                select.setString(1, name);
                ResultSet row = select.executeQuery();
                return row.next() ? Optional.of(parse(row.getString(1))) : Optional.empty();
            }
        });
    }

    /** Changes a job under the store's lock: {@code change} edits the description in place. */
    ObjectNode update(String name, java.util.function.Consumer<ObjectNode> change) {
        return db.transaction(c -> {
            ObjectNode description;
            try (PreparedStatement select = c.prepareStatement("SELECT description FROM training_jobs WHERE name = ?")) {
                select.setString(1, name);
                ResultSet row = select.executeQuery();
                if (!row.next()) {
                    throw new IllegalStateException("training job " + name + " vanished from the database");
                }
                description = parse(row.getString(1));
            }
            change.accept(description);
            description.put("LastModifiedTime", now());
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE training_jobs SET status = ?, last_modified_time = ?, description = ? WHERE name = ?")) {
                update.setString(1, description.path("TrainingJobStatus").asText());
                update.setDouble(2, description.path("LastModifiedTime").asDouble());
                update.setString(3, json(description));
                update.setString(4, name);
                update.executeUpdate();
            }
            return description;
        });
    }

    /** Every job's description, in no particular order; listing sorts and filters them. */
    List<ObjectNode> all() {
        return db.transaction(c -> {
            List<ObjectNode> jobs = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT description FROM training_jobs")) {
                ResultSet rows = select.executeQuery();
                while (rows.next()) {
                    jobs.add(parse(rows.getString(1)));
                }
            }
            return jobs;
        });
    }

    List<String> namesWithStatus(String... statuses) {
        return db.transaction(c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement(
                    "SELECT name FROM training_jobs WHERE status IN (" + "?,".repeat(statuses.length - 1) + "?)")) {
                for (int i = 0; i < statuses.length; i++) {
                    select.setString(i + 1, statuses[i]);
                }
                ResultSet rows = select.executeQuery();
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        });
    }

    /** Seconds since the epoch, as awsJson carries timestamps. */
    static double now() {
        Instant now = Instant.now();
        return now.getEpochSecond() + now.getNano() / 1e9;
    }

    private static String json(ObjectNode node) {
        try {
            return JsonRpc.JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode parse(String json) {
        try {
            return (ObjectNode) JsonRpc.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt training job row: " + e.getMessage());
        }
    }
}
