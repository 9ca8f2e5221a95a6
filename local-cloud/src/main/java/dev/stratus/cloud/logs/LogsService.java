package dev.stratus.cloud.logs;

import static dev.stratus.cloud.server.JsonRpc.JSON;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.LongSummaryStatistics;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.state.Database;

/**
 * CloudWatch Logs: log groups, their streams and the streams' events, kept in the local cloud's database and
 * served over awsJson1_1 to the SDK, the CLI and boto3. Local training jobs write their output here through
 * {@link #append}, without HTTP.
 *
 * <p>A stream's events are ordered by timestamp, then by arrival. GetLogEvents tokens ({@code f/<n>},
 * {@code b/<n>}, as on AWS) name a place in that order, and the other operations' tokens the sort key of the last
 * item returned, so that paging stays right while events and streams keep arriving.
 */
public final class LogsService implements AwsService {

    private static final String TARGET_PREFIX = "Logs_20140328";
    private static final Pattern GROUP_NAME = Pattern.compile("[\\.\\-_/#A-Za-z0-9]+");
    private static final Pattern STREAM_NAME = Pattern.compile("[^:*]*");
    private static final int DESCRIBE_LIMIT = 50;
    private static final int EVENTS_LIMIT = 10_000;
    /** AWS sizes an event as its UTF-8 message plus 26 bytes, for PutLogEvents batches and for answers alike. */
    private static final int EVENT_OVERHEAD = 26;
    private static final int MAX_BYTES = 1_048_576;
    private static final long MAX_BATCH_SPAN = Duration.ofHours(24).toMillis();
    /** Filter pattern terms: a "quoted phrase", a word, or anything else (which this service does not support). */
    private static final Pattern TERM = Pattern.compile("\"([^\"]*)\"|([A-Za-z0-9_]+)|(\\S+)");
    private static final String EVENT_COLUMNS = "SELECT e.id, s.name, e.timestamp, e.ingestion_time, e.message"
            + " FROM log_event e JOIN log_stream s ON s.id = e.stream_id";

    private final Database db;

    public LogsService(Database db) {
        this.db = db;
        db.schema("""
                CREATE TABLE IF NOT EXISTS log_group (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    creation_time INTEGER NOT NULL)""", """
                CREATE TABLE IF NOT EXISTS log_stream (
                    id INTEGER PRIMARY KEY,
                    group_id INTEGER NOT NULL REFERENCES log_group (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    creation_time INTEGER NOT NULL,
                    first_event_timestamp INTEGER,
                    last_event_timestamp INTEGER,
                    last_ingestion_time INTEGER,
                    stored_bytes INTEGER NOT NULL DEFAULT 0,
                    upload_sequence INTEGER NOT NULL DEFAULT 0,
                    UNIQUE (group_id, name))""", """
                CREATE TABLE IF NOT EXISTS log_event (
                    id INTEGER PRIMARY KEY,
                    stream_id INTEGER NOT NULL REFERENCES log_stream (id) ON DELETE CASCADE,
                    timestamp INTEGER NOT NULL,
                    ingestion_time INTEGER NOT NULL,
                    message TEXT NOT NULL)""",
                "CREATE INDEX IF NOT EXISTS log_event_in_stream_order ON log_event (stream_id, timestamp, id)");
    }

    @Override
    public String signingName() {
        return "logs";
    }

    @Override
    public AwsResponse handle(AwsRequest request) {
        // One set of log groups serves every region; ARNs name the region the caller asked.
        String region = request.scope().region();
        return new JsonRpc(TARGET_PREFIX, Map.of(
                "CreateLogGroup", json -> createLogGroup(new Input(json)),
                "DeleteLogGroup", json -> deleteLogGroup(new Input(json)),
                "DescribeLogGroups", json -> describeLogGroups(new Input(json), region),
                "CreateLogStream", json -> createLogStream(new Input(json)),
                "DescribeLogStreams", json -> describeLogStreams(new Input(json), region),
                "PutLogEvents", json -> putLogEvents(new Input(json)),
                "GetLogEvents", json -> getLogEvents(new Input(json)),
                "FilterLogEvents", json -> filterLogEvents(new Input(json)))).handle(request);
    }

    /**
     * Adds events to a stream, creating its group and the stream when missing. Unlike PutLogEvents, the events
     * need not be in order and a batch has no size limit: readers see them in timestamp order all the same.
     * Names follow CloudWatch Logs' rules; others are refused with an InvalidParameterException {@link AwsException}.
     */
    public void append(String group, String stream, List<LogEvent> events) {
        checkName("logGroupName", group, GROUP_NAME);
        checkName("logStreamName", stream, STREAM_NAME);
        if (events.isEmpty()) {
            return;
        }
        db.transaction(c -> {
            insertGroup(c, group);
            insertStream(c, groupId(c, group), stream);
            return store(c, streamId(c, group, stream), events);
        });
    }

    /** Events stored in all log groups, for the local cloud's status. */
    public long eventCount() {
        return db.transaction(c -> queryLong(c, "SELECT count(*) FROM log_event"));
    }

    private JsonNode createLogGroup(Input in) {
        String group = checkName("logGroupName", in.required("logGroupName"), GROUP_NAME);
        if (!db.transaction(c -> insertGroup(c, group))) {
            throw new AwsException(400, "ResourceAlreadyExistsException", "The specified log group already exists");
        }
        return JSON.createObjectNode();
    }

    private JsonNode deleteLogGroup(Input in) {
        String group = in.required("logGroupName");
        // Its streams and their events go with it: ON DELETE CASCADE.
        if (db.transaction(c -> update(c, "DELETE FROM log_group WHERE name = ?", group)) == 0) {
            throw groupNotFound();
        }
        return JSON.createObjectNode();
    }

    private JsonNode describeLogGroups(Input in, String region) {
        String prefix = Objects.requireNonNullElse(in.string("logGroupNamePrefix"), "");
        int limit = in.limit(DESCRIBE_LIMIT);
        JsonNode after = pageKey(in, 1);
        List<ObjectNode> groups = db.transaction(c -> {
            try (PreparedStatement s = prepare(c, "SELECT g.name, g.creation_time,"
                    + " (SELECT coalesce(sum(stored_bytes), 0) FROM log_stream WHERE group_id = g.id)"
                    + " FROM log_group g WHERE instr(g.name, ?) = 1 AND g.name > ? ORDER BY g.name LIMIT ?",
                    prefix, after == null ? "" : after.get(0).asText(), limit + 1);
                 ResultSet r = s.executeQuery()) {
                List<ObjectNode> rows = new ArrayList<>();
                while (r.next()) {
                    String arn = "arn:aws:logs:" + region + ":" + CloudHome.ACCOUNT_ID + ":log-group:" + r.getString(1);
                    rows.add(JSON.createObjectNode()
                            .put("logGroupName", r.getString(1))
                            .put("creationTime", r.getLong(2))
                            .put("metricFilterCount", 0)
                            .put("arn", arn + ":*")
                            .put("logGroupArn", arn)
                            .put("storedBytes", r.getLong(3))
                            .put("logGroupClass", "STANDARD"));
                }
                return rows;
            }
        });
        return page("logGroups", groups, limit, last -> pageToken(last.get("logGroupName").asText()));
    }

    private JsonNode createLogStream(Input in) {
        String group = in.required("logGroupName");
        String stream = checkName("logStreamName", in.required("logStreamName"), STREAM_NAME);
        if (!db.transaction(c -> insertStream(c, groupId(c, group), stream))) {
            throw new AwsException(400, "ResourceAlreadyExistsException", "The specified log stream already exists");
        }
        return JSON.createObjectNode();
    }

    private JsonNode describeLogStreams(Input in, String region) {
        String group = in.required("logGroupName");
        String prefix = Objects.requireNonNullElse(in.string("logStreamNamePrefix"), "");
        String orderBy = Objects.requireNonNullElse(in.string("orderBy"), "LogStreamName");
        if (!orderBy.equals("LogStreamName") && !orderBy.equals("LastEventTime")) {
            throw invalid("orderBy", orderBy, "Member must satisfy enum value set: [LogStreamName, LastEventTime]");
        }
        boolean byTime = orderBy.equals("LastEventTime");
        if (byTime && !prefix.isEmpty()) {
            throw new AwsException(400, "InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        boolean descending = in.flag("descending");
        int limit = in.limit(DESCRIBE_LIMIT);
        // Streams without events sort as older than any event.
        List<String> key = byTime ? List.of("coalesce(last_event_timestamp, -1)", "name") : List.of("name");
        JsonNode after = pageKey(in, key.size());
        String sql = "SELECT name, creation_time, first_event_timestamp, last_event_timestamp, last_ingestion_time,"
                + " stored_bytes, upload_sequence FROM log_stream WHERE group_id = ? AND instr(name, ?) = 1"
                + (after == null ? "" : " AND (" + String.join(", ", key) + ") " + (descending ? "<" : ">")
                        + " (" + String.join(", ", Collections.nCopies(key.size(), "?")) + ")")
                + " ORDER BY " + key.stream().map(k -> descending ? k + " DESC" : k).collect(Collectors.joining(", "))
                + " LIMIT ?";
        List<ObjectNode> streams = db.transaction(c -> {
            List<Object> parameters = new ArrayList<>(List.of(groupId(c, group), prefix));
            if (after != null) {
                after.forEach(value -> parameters.add(value.isNumber() ? value.asLong() : value.asText()));
            }
            parameters.add(limit + 1);
            try (PreparedStatement s = prepare(c, sql, parameters.toArray()); ResultSet r = s.executeQuery()) {
                List<ObjectNode> rows = new ArrayList<>();
                while (r.next()) {
                    String name = r.getString("name");
                    ObjectNode stream = JSON.createObjectNode()
                            .put("logStreamName", name)
                            .put("creationTime", r.getLong("creation_time"));
                    if (r.getObject("last_event_timestamp") != null) {
                        stream.put("firstEventTimestamp", r.getLong("first_event_timestamp"))
                                .put("lastEventTimestamp", r.getLong("last_event_timestamp"))
                                .put("lastIngestionTime", r.getLong("last_ingestion_time"))
                                .put("uploadSequenceToken", Long.toString(r.getLong("upload_sequence")));
                    }
                    rows.add(stream
                            .put("arn", "arn:aws:logs:" + region + ":" + CloudHome.ACCOUNT_ID + ":log-group:" + group
                                    + ":log-stream:" + name)
                            .put("storedBytes", r.getLong("stored_bytes")));
                }
                return rows;
            }
        });
        return page("logStreams", streams, limit, last -> byTime
                ? pageToken(last.path("lastEventTimestamp").asLong(-1), last.get("logStreamName").asText())
                : pageToken(last.get("logStreamName").asText()));
    }

    private JsonNode putLogEvents(Input in) {
        String group = in.required("logGroupName");
        String stream = in.required("logStreamName");
        List<LogEvent> events = new ArrayList<>();
        for (Input event : in.list("logEvents", EVENTS_LIMIT)) {
            long timestamp = event.requiredNumber("timestamp");
            if (timestamp < 0) {
                throw invalid(event.path() + "timestamp", timestamp, "Member must have value greater than or equal to 0");
            }
            String message = event.required("message");
            if (message.isEmpty()) {
                throw invalid(event.path() + "message", message, "Member must have length greater than or equal to 1");
            }
            events.add(new LogEvent(timestamp, message));
        }
        checkBatch(events);
        // The request's sequenceToken is ignored, as on AWS since 2023: any batch may follow any other.
        String sequenceToken = db.transaction(c -> store(c, streamId(c, group, stream), events));
        return JSON.createObjectNode().put("nextSequenceToken", sequenceToken);
    }

    private JsonNode getLogEvents(Input in) {
        String group = in.required("logGroupName");
        String stream = in.required("logStreamName");
        long startTime = Math.max(0, in.number("startTime", 0));
        long endTime = in.number("endTime", Long.MAX_VALUE);
        int limit = in.limit(EVENTS_LIMIT);
        String token = in.string("nextToken");
        boolean forward = token == null ? in.flag("startFromHead") : token.startsWith("f/");
        Position here = token == null ? new Position(startTime, 0) : Position.parse(token);
        // Without a token, a tail read starts after the stream's last event.
        Position from = token == null && !forward ? Position.END : here;
        String sql = EVENT_COLUMNS + " WHERE e.stream_id = ? AND e.timestamp >= ? AND e.timestamp < ?"
                + (forward ? " AND (e.timestamp, e.id) >= (?, ?) ORDER BY e.timestamp, e.id"
                        : " AND (e.timestamp, e.id) < (?, ?) ORDER BY e.timestamp DESC, e.id DESC")
                + " LIMIT ?";
        List<StoredEvent> events = new ArrayList<>(db.transaction(c -> read(c, sql, limit,
                streamId(c, group, stream), startTime, endTime, from.timestamp(), from.id(), limit + 1)).events());
        if (!forward) {
            Collections.reverse(events);
        }
        // An empty page leaves the reader where it was: reading on returns the same tokens, as on AWS.
        Position first = events.isEmpty() ? here : events.get(0).position();
        Position next = events.isEmpty() ? here : events.get(events.size() - 1).position().next();
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("events");
        for (StoredEvent event : events) {
            list.addObject()
                    .put("timestamp", event.timestamp())
                    .put("message", event.message())
                    .put("ingestionTime", event.ingestionTime());
        }
        return out.put("nextForwardToken", "f/" + next.digits()).put("nextBackwardToken", "b/" + first.digits());
    }

    private JsonNode filterLogEvents(Input in) {
        String group = in.required("logGroupName");
        List<String> streams = in.strings("logStreamNames");
        String prefix = in.string("logStreamNamePrefix");
        if (streams != null && prefix != null) {
            throw new AwsException(400, "InvalidParameterException",
                    "logStreamNames and logStreamNamePrefix are mutually exclusive: give one of them");
        }
        if (streams != null && streams.isEmpty()) {
            throw invalid("logStreamNames", "[]", "Member must have length greater than or equal to 1");
        }
        List<String> terms = terms(Objects.requireNonNullElse(in.string("filterPattern"), ""));
        int limit = in.limit(EVENTS_LIMIT);
        JsonNode after = pageKey(in, 2);
        // Unlike GetLogEvents' endTime, FilterLogEvents' includes events at that very time.
        StringBuilder sql = new StringBuilder(EVENT_COLUMNS + " WHERE s.group_id = ? AND e.timestamp >= ? AND e.timestamp <= ?");
        List<Object> parameters = new ArrayList<>(List.of(in.number("startTime", 0), in.number("endTime", Long.MAX_VALUE)));
        if (streams != null) {
            sql.append(" AND s.name IN (").append(String.join(", ", Collections.nCopies(streams.size(), "?"))).append(")");
            parameters.addAll(streams);
        }
        if (prefix != null) {
            sql.append(" AND instr(s.name, ?) = 1");
            parameters.add(prefix);
        }
        for (String term : terms) {
            sql.append(" AND instr(e.message, ?) > 0");
            parameters.add(term);
        }
        if (after != null) {
            sql.append(" AND (e.timestamp, e.id) > (?, ?)");
            parameters.add(after.get(0).asLong());
            parameters.add(after.get(1).asLong());
        }
        sql.append(" ORDER BY e.timestamp, e.id LIMIT ?");
        parameters.add(limit + 1);
        Page page = db.transaction(c -> {
            List<Object> all = new ArrayList<>(List.of(groupId(c, group)));
            all.addAll(parameters);
            return read(c, sql.toString(), limit, all.toArray());
        });
        ObjectNode out = JSON.createObjectNode();
        ArrayNode events = out.putArray("events");
        for (StoredEvent event : page.events()) {
            events.addObject()
                    .put("logStreamName", event.stream())
                    .put("timestamp", event.timestamp())
                    .put("message", event.message())
                    .put("ingestionTime", event.ingestionTime())
                    .put("eventId", event.position().digits());
        }
        if (page.more()) {
            StoredEvent last = page.events().get(page.events().size() - 1);
            out.put("nextToken", pageToken(last.timestamp(), last.id()));
        }
        return out;
    }

    /**
     * The texts an event must all contain (case-sensitively, as on AWS) to match a filter pattern made of words of
     * letters, digits and underscores and of "quoted phrases". AWS's other pattern syntax is refused, not ignored.
     */
    private static List<String> terms(String filterPattern) {
        List<String> terms = new ArrayList<>();
        Matcher term = TERM.matcher(filterPattern);
        while (term.find()) {
            if (term.group(3) != null) {
                throw new AwsException(400, "InvalidParameterException", "filterPattern term '" + term.group(3)
                        + "' is not supported: the local CloudWatch Logs matches words of letters, digits and underscores"
                        + " and \"quoted phrases\", all of which an event must contain");
            }
            terms.add(term.group(1) != null ? term.group(1) : term.group(2));
        }
        return terms;
    }

    /** PutLogEvents' batch rules: chronological order, at most 24 hours from first to last, at most 1 MB. */
    private static void checkBatch(List<LogEvent> events) {
        long bytes = 0;
        for (int i = 0; i < events.size(); i++) {
            if (i > 0 && events.get(i).timestamp() < events.get(i - 1).timestamp()) {
                throw new AwsException(400, "InvalidParameterException",
                        "Log events in a single PutLogEvents request must be in chronological order.");
            }
            bytes += events.get(i).message().getBytes(UTF_8).length + EVENT_OVERHEAD;
        }
        if (events.get(events.size() - 1).timestamp() - events.get(0).timestamp() > MAX_BATCH_SPAN) {
            throw new AwsException(400, "InvalidParameterException",
                    "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
        }
        if (bytes > MAX_BYTES) {
            throw new AwsException(400, "InvalidParameterException",
                    "Upload too large: " + bytes + " bytes exceeds limit of " + MAX_BYTES);
        }
    }

    /** Stores a batch and brings its stream's summary up to date; returns the stream's next sequence token. */
    private static String store(Connection c, long streamId, List<LogEvent> events) throws SQLException {
        long now = System.currentTimeMillis();
        long bytes = 0;
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO log_event (stream_id, timestamp, ingestion_time, message) VALUES (?, ?, ?, ?)")) {
            for (LogEvent event : events) {
                insert.setLong(1, streamId);
                insert.setLong(2, event.timestamp());
                insert.setLong(3, now);
                insert.setString(4, event.message());
                insert.addBatch();
                // storedBytes: the messages' UTF-8 bytes. AWS's figure (compressed, and 0 for streams) has no local equivalent.
                bytes += event.message().getBytes(UTF_8).length;
            }
            insert.executeBatch();
        }
        LongSummaryStatistics times = events.stream().mapToLong(LogEvent::timestamp).summaryStatistics();
        update(c, "UPDATE log_stream SET first_event_timestamp = min(coalesce(first_event_timestamp, ?), ?),"
                        + " last_event_timestamp = max(coalesce(last_event_timestamp, ?), ?), last_ingestion_time = ?,"
                        + " stored_bytes = stored_bytes + ?, upload_sequence = upload_sequence + 1 WHERE id = ?",
                times.getMin(), times.getMin(), times.getMax(), times.getMax(), now, bytes, streamId);
        return Long.toString(queryLong(c, "SELECT upload_sequence FROM log_stream WHERE id = ?", streamId));
    }

    /** Reads events in the query's order, up to limit and to AWS's 1 MB per answer; says whether some were left. */
    private static Page read(Connection c, String sql, int limit, Object... parameters) throws SQLException {
        List<StoredEvent> events = new ArrayList<>();
        long bytes = 0;
        try (PreparedStatement s = prepare(c, sql, parameters); ResultSet r = s.executeQuery()) {
            while (r.next()) {
                StoredEvent event = new StoredEvent(r.getLong(1), r.getString(2), r.getLong(3), r.getLong(4), r.getString(5));
                bytes += event.message().getBytes(UTF_8).length + EVENT_OVERHEAD;
                if (events.size() == limit || bytes > MAX_BYTES && !events.isEmpty()) {
                    return new Page(events, true);
                }
                events.add(event);
            }
        }
        return new Page(events, false);
    }

    private static boolean insertGroup(Connection c, String group) throws SQLException {
        return update(c, "INSERT OR IGNORE INTO log_group (name, creation_time) VALUES (?, ?)",
                group, System.currentTimeMillis()) == 1;
    }

    private static boolean insertStream(Connection c, long groupId, String stream) throws SQLException {
        return update(c, "INSERT OR IGNORE INTO log_stream (group_id, name, creation_time) VALUES (?, ?, ?)",
                groupId, stream, System.currentTimeMillis()) == 1;
    }

    private static long groupId(Connection c, String group) throws SQLException {
        Long id = queryLong(c, "SELECT id FROM log_group WHERE name = ?", group);
        if (id == null) {
            throw groupNotFound();
        }
        return id;
    }

    private static long streamId(Connection c, String group, String stream) throws SQLException {
        Long id = queryLong(c, "SELECT id FROM log_stream WHERE group_id = ? AND name = ?", groupId(c, group), stream);
        if (id == null) {
            throw new AwsException(400, "ResourceNotFoundException", "The specified log stream does not exist.");
        }
        return id;
    }

    private static AwsException groupNotFound() {
        return new AwsException(400, "ResourceNotFoundException", "The specified log group does not exist.");
    }

    private static PreparedStatement prepare(Connection c, String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = c.prepareStatement(sql);
        try {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement;
        } catch (SQLException e) {
            statement.close();
            throw e;
        }
    }

    private static int update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(c, sql, parameters)) {
            return statement.executeUpdate();
        }
    }

    /** The first column of the first row, or null when there is no row. */
    private static Long queryLong(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = prepare(c, sql, parameters); ResultSet r = statement.executeQuery()) {
            return r.next() ? r.getLong(1) : null;
        }
    }

    private static String checkName(String field, String name, Pattern pattern) {
        if (name.isEmpty()) {
            throw invalid(field, name, "Member must have length greater than or equal to 1");
        }
        if (name.length() > 512) {
            throw invalid(field, name, "Member must have length less than or equal to 512");
        }
        if (!pattern.matcher(name).matches()) {
            throw invalid(field, name, "Member must satisfy regular expression pattern: " + pattern.pattern());
        }
        return name;
    }

    /** AWS's answer to a member outside its constraints. */
    private static AwsException invalid(String path, Object value, String constraint) {
        return new AwsException(400, "InvalidParameterException", "1 validation error detected: Value "
                + (value == null ? "null" : "'" + value + "'") + " at '" + path + "' failed to satisfy constraint: " + constraint);
    }

    /** A Describe* answer: the items up to limit (one more was read to learn whether another page follows). */
    private static ObjectNode page(String field, List<ObjectNode> items, int limit, Function<ObjectNode, String> tokenOf) {
        ObjectNode out = JSON.createObjectNode();
        out.putArray(field).addAll(items.subList(0, Math.min(limit, items.size())));
        if (items.size() > limit) {
            out.put("nextToken", tokenOf.apply(items.get(limit - 1)));
        }
        return out;
    }

    /** A nextToken: the sort key of the last item returned, from which the next page goes on. */
    private static String pageToken(Object... key) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                JSON.valueToTree(Arrays.asList(key)).toString().getBytes(UTF_8));
    }

    /** The sort key in the request's nextToken, or null without one. */
    private static JsonNode pageKey(Input in, int size) {
        String token = in.string("nextToken");
        if (token == null) {
            return null;
        }
        try {
            JsonNode key = JSON.readTree(Base64.getUrlDecoder().decode(token));
            if (key.isArray() && key.size() == size) {
                return key;
            }
        } catch (IllegalArgumentException | IOException notOurs) {
            // answered below, as a token of the wrong shape is
        }
        throw invalidToken();
    }

    private static AwsException invalidToken() {
        return new AwsException(400, "InvalidParameterException", "The specified nextToken is invalid.");
    }

    /**
     * A place in a stream's order: just before event {@code (timestamp, id)}, or where it would be. Tokens and
     * event ids write it as 38 digits.
     */
    private record Position(long timestamp, long id) {

        static final Position END = new Position(Long.MAX_VALUE, Long.MAX_VALUE);
        private static final Pattern TOKEN = Pattern.compile("[fb]/(\\d{19})(\\d{19})");

        static Position parse(String token) {
            Matcher m = TOKEN.matcher(token);
            try {
                if (m.matches()) {
                    return new Position(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
                }
            } catch (NumberFormatException tooLarge) {
                // answered below, as a token of the wrong shape is
            }
            throw invalidToken();
        }

        Position next() {
            return new Position(timestamp, id + 1);
        }

        String digits() {
            return String.format("%019d%019d", timestamp, id);
        }
    }

    private record StoredEvent(long id, String stream, long timestamp, long ingestionTime, String message) {
        Position position() {
            return new Position(timestamp, id);
        }
    }

    private record Page(List<StoredEvent> events, boolean more) {
    }

    /** A request's members, read with AWS's errors for missing and mistyped values; path names them in errors. */
    private record Input(JsonNode json, String path) {

        Input(JsonNode json) {
            this(json, "");
        }

        String string(String field) {
            JsonNode value = value(field);
            if (value != null && !value.isTextual()) {
                throw mistyped(field, "a string");
            }
            return value == null ? null : value.textValue();
        }

        String required(String field) {
            String value = string(field);
            if (value == null) {
                throw invalid(path + field, null, "Member must not be null");
            }
            return value;
        }

        long number(String field, long absent) {
            JsonNode value = value(field);
            if (value != null && !(value.isIntegralNumber() && value.canConvertToLong())) {
                throw mistyped(field, "a whole number");
            }
            return value == null ? absent : value.longValue();
        }

        long requiredNumber(String field) {
            if (value(field) == null) {
                throw invalid(path + field, null, "Member must not be null");
            }
            return number(field, 0);
        }

        boolean flag(String field) {
            JsonNode value = value(field);
            if (value != null && !value.isBoolean()) {
                throw mistyped(field, "true or false");
            }
            return value != null && value.booleanValue();
        }

        /** The limit member: 1 to max, max when absent (AWS's defaults are the maxima here). */
        int limit(int max) {
            long limit = number("limit", max);
            if (limit < 1 || limit > max) {
                throw invalid(path + "limit", limit, limit < 1 ? "Member must have value greater than or equal to 1"
                        : "Member must have value less than or equal to " + max);
            }
            return (int) limit;
        }

        /** A required list of 1 to max structures. */
        List<Input> list(String field, int max) {
            JsonNode value = value(field);
            if (value == null) {
                throw invalid(path + field, null, "Member must not be null");
            }
            if (!value.isArray()) {
                throw mistyped(field, "a list");
            }
            if (value.isEmpty() || value.size() > max) {
                throw invalid(path + field, "[" + value.size() + " items]", value.isEmpty()
                        ? "Member must have length greater than or equal to 1"
                        : "Member must have length less than or equal to " + max);
            }
            List<Input> items = new ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                String itemPath = path + field + "." + (i + 1) + ".member.";
                if (!value.get(i).isObject()) {
                    throw new AwsException(400, "SerializationException", "'" + itemPath + "' must be a structure");
                }
                items.add(new Input(value.get(i), itemPath));
            }
            return items;
        }

        /** An optional list of strings, null when absent. */
        List<String> strings(String field) {
            JsonNode value = value(field);
            if (value == null) {
                return null;
            }
            List<String> strings = new ArrayList<>();
            for (JsonNode item : value) {
                strings.add(item.isTextual() ? item.textValue() : null);
            }
            if (!value.isArray() || strings.contains(null)) {
                throw mistyped(field, "a list of strings");
            }
            return strings;
        }

        private JsonNode value(String field) {
            JsonNode value = json.get(field);
            return value == null || value.isNull() ? null : value;
        }

        private AwsException mistyped(String field, String expected) {
            return new AwsException(400, "SerializationException",
                    "'" + path + field + "' must be " + expected + ", not " + json.get(field));
        }
    }
}
