package dev.stratus.cloud.sagemaker;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.state.Database;

/**
 * One kind of SageMaker resource (models, endpoint configurations, endpoints, transform jobs) in the database: a row per
 * resource keeping its Describe answer as JSON, as training jobs are kept, plus a {@code state} column for
 * what the platform needs and Describe does not show (an endpoint's deployed variants). Every change is one
 * transaction.
 */
public final class Resources {

    /** What tells the kinds apart: their field names, ARN type, list key and the words AWS's messages use. */
    public record Kind(String table, String noun, String arnType, String nameField, String arnField, String statusField,
                String listKey, List<String> summaryFields) {
    }

    public static final Kind MODELS = new Kind("sagemaker_models", "model", "model", "ModelName", "ModelArn", null,
            "Models", List.of("ModelName", "ModelArn", "CreationTime"));
    public static final Kind ENDPOINT_CONFIGS = new Kind("sagemaker_endpoint_configs", "endpoint configuration", "endpoint-config",
            "EndpointConfigName", "EndpointConfigArn", null, "EndpointConfigs",
            List.of("EndpointConfigName", "EndpointConfigArn", "CreationTime"));
    public static final Kind ENDPOINTS = new Kind("sagemaker_endpoints", "endpoint", "endpoint", "EndpointName", "EndpointArn",
            "EndpointStatus", "Endpoints", List.of("EndpointName", "EndpointArn", "CreationTime", "LastModifiedTime", "EndpointStatus"));

    private final Database db;
    private final Kind kind;
    private final String region;

    public Resources(Database db, Kind kind, String region) {
        this.db = db;
        this.kind = kind;
        this.region = region;
        db.schema("CREATE TABLE IF NOT EXISTS " + kind.table() + " (name TEXT PRIMARY KEY, status TEXT NOT NULL,"
                + " creation_time REAL NOT NULL, description TEXT NOT NULL, state TEXT NOT NULL)");
    }

    public String arn(String name) {
        return "arn:aws:sagemaker:" + region + ":" + CloudHome.ACCOUNT_ID + ":" + kind.arnType() + "/" + name.toLowerCase(Locale.ROOT);
    }

    /** A Describe, Update or Delete of a resource that is not there: AWS answers ValidationException, with these words. */
    public AwsException notFound(String name) {
        return AwsException.validation("Could not find " + kind.noun() + " \"" + arn(name) + "\".");
    }

    /** A new resource: its Describe answer (name, ARN and CreationTime added here) and state; false when the name is taken. */
    public boolean insert(ObjectNode description, JsonNode state) {
        String name = description.path(kind.nameField()).asText();
        double now = now();
        description.put(kind.arnField(), arn(name));
        description.put("CreationTime", now);
        if (kind.statusField() != null) {
            description.put("LastModifiedTime", now);
        }
        return db.transaction(c -> {
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM " + kind.table() + " WHERE name = ?")) {
                exists.setString(1, name);
                if (exists.executeQuery().next()) {
                    return false;
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + kind.table()
                    + " (name, status, creation_time, description, state) VALUES (?, ?, ?, ?, ?)")) {
                insert.setString(1, name);
                insert.setString(2, status(description));
                insert.setDouble(3, now);
                insert.setString(4, json(description));
                insert.setString(5, json(state));
                insert.executeUpdate();
            }
            return true;
        });
    }

    public Optional<ObjectNode> find(String name) {
        return db.transaction(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT description FROM " + kind.table() + " WHERE name = ?")) {
                select.setString(1, name);
                ResultSet row = select.executeQuery();
                return row.next() ? Optional.of(parse(row.getString(1))) : Optional.empty();
            }
        });
    }

    /** The resource's Describe answer, or the ValidationException AWS gives for a missing one. */
    public ObjectNode describe(String name) {
        return find(name).orElseThrow(() -> notFound(name));
    }

    /** The platform's own record of the resource ("{}" when it keeps none), or empty when the resource is gone. */
    public Optional<ObjectNode> state(String name) {
        return db.transaction(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT state FROM " + kind.table() + " WHERE name = ?")) {
                select.setString(1, name);
                ResultSet row = select.executeQuery();
                return row.next() ? Optional.of(parse(row.getString(1))) : Optional.empty();
            }
        });
    }

    /** What {@link #update} changes: the Describe answer and the state, both edited in place. */
    @FunctionalInterface
    public interface Change {
        void apply(ObjectNode description, ObjectNode state);
    }

    /**
     * Changes a resource in one transaction; an exception from {@code change} changes nothing. Returns the new Describe
     * answer, or empty when the resource is gone (deleted meanwhile).
     */
    public Optional<ObjectNode> update(String name, Change change) {
        return db.transaction(c -> {
            ObjectNode description;
            ObjectNode state;
            try (PreparedStatement select = c.prepareStatement("SELECT description, state FROM " + kind.table() + " WHERE name = ?")) {
                select.setString(1, name);
                ResultSet row = select.executeQuery();
                if (!row.next()) {
                    return Optional.empty();
                }
                description = parse(row.getString(1));
                state = parse(row.getString(2));
            }
            change.apply(description, state);
            if (kind.statusField() != null) {
                description.put("LastModifiedTime", now());
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE " + kind.table()
                    + " SET status = ?, description = ?, state = ? WHERE name = ?")) {
                update.setString(1, status(description));
                update.setString(2, json(description));
                update.setString(3, json(state));
                update.setString(4, name);
                update.executeUpdate();
            }
            return Optional.of(description);
        });
    }

    public Optional<ObjectNode> update(String name, Consumer<ObjectNode> change) {
        return update(name, (description, state) -> change.accept(description));
    }

    /** Removes the resource; false when there was none. */
    public boolean delete(String name) {
        return db.transaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + kind.table() + " WHERE name = ?")) {
                delete.setString(1, name);
                return delete.executeUpdate() > 0;
            }
        });
    }

    public List<String> names() {
        return db.transaction(c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT name FROM " + kind.table() + " ORDER BY creation_time")) {
                ResultSet rows = select.executeQuery();
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
            return names;
        });
    }

    public int count() {
        return db.transaction(c -> {
            try (PreparedStatement select = c.prepareStatement("SELECT count(*) FROM " + kind.table())) {
                ResultSet row = select.executeQuery();
                row.next();
                return row.getInt(1);
            }
        });
    }

    /** A List operation over every resource of this kind ({@link ListPage#of}). */
    public ObjectNode list(JsonNode request) {
        List<ObjectNode> all = db.transaction(c -> {
            List<ObjectNode> rows = new ArrayList<>();
            try (PreparedStatement select = c.prepareStatement("SELECT description FROM " + kind.table())) {
                ResultSet result = select.executeQuery();
                while (result.next()) {
                    rows.add(parse(result.getString(1)));
                }
            }
            return rows;
        });
        return ListPage.of(all, request, kind.nameField(), kind.statusField(), kind.listKey(), kind.summaryFields());
    }

    private String status(ObjectNode description) {
        return kind.statusField() == null ? "" : description.path(kind.statusField()).asText();
    }

    /** Seconds since the epoch, as awsJson carries timestamps. */
    public static double now() {
        Instant now = Instant.now();
        return now.getEpochSecond() + now.getNano() / 1e9;
    }

    private static String json(JsonNode node) {
        try {
            return JsonRpc.JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private ObjectNode parse(String json) {
        try {
            return (ObjectNode) JsonRpc.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt " + kind.noun() + " row: " + e.getMessage());
        }
    }
}
