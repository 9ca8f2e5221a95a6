package dev.stratus.cloud.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.server.ServiceEndpoint;
import dev.stratus.cloud.state.Database;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogGroupsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.DescribeLogStreamsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilterLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.FilteredLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsRequest;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.InputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.InvalidParameterException;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogGroup;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OrderBy;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.cloudwatchlogs.model.PutLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceAlreadyExistsException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;

class LogsServiceTest {

    /** A fixed time, so that events and ranges read as plain numbers. */
    private static final long T = 1_700_000_000_000L;
    private static final String GROUP = "/aws/sagemaker/TrainingJobs";

    @TempDir
    Path tempDir;

    private Database db;
    private LogsService service;
    private ServiceEndpoint endpoint;
    private CloudWatchLogsClient logs;

    @BeforeEach
    void start() throws Exception {
        open();
    }

    @AfterEach
    void stop() throws Exception {
        logs.close();
        endpoint.close();
        db.close();
    }

    private void open() throws Exception {
        db = new Database(tempDir.resolve("state.db"));
        service = new LogsService(db);
        endpoint = new ServiceEndpoint(service);
        logs = CloudWatchLogsClient.builder()
                .endpointOverride(endpoint.uri())
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDLOCAL", "local-secret")))
                .build();
    }

    @Test
    void describesGroupsByPrefixInPages() {
        long before = System.currentTimeMillis();
        for (String group : List.of("/stratus/c", GROUP, "/stratus/a", "/stratus/b")) {
            logs.createLogGroup(r -> r.logGroupName(group));
        }
        long after = System.currentTimeMillis();

        DescribeLogGroupsResponse first = logs.describeLogGroups(r -> r.logGroupNamePrefix("/stratus/").limit(2));
        assertEquals(List.of("/stratus/a", "/stratus/b"), first.logGroups().stream().map(LogGroup::logGroupName).toList());
        DescribeLogGroupsResponse second = logs.describeLogGroups(r -> r.logGroupNamePrefix("/stratus/").limit(2)
                .nextToken(first.nextToken()));
        assertEquals(List.of("/stratus/c"), second.logGroups().stream().map(LogGroup::logGroupName).toList());
        assertNull(second.nextToken());

        LogGroup group = logs.describeLogGroups(r -> r.logGroupNamePrefix(GROUP)).logGroups().get(0);
        assertEquals(GROUP, group.logGroupName());
        assertEquals("arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/TrainingJobs:*", group.arn());
        assertEquals("arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/TrainingJobs", group.logGroupArn());
        assertTrue(group.creationTime() >= before && group.creationTime() <= after, group::toString);
        assertEquals(0L, group.storedBytes());
        assertEquals(4, logs.describeLogGroups().logGroups().size());
    }

    @Test
    @SuppressWarnings("deprecation") // AWS now reports a stream's storedBytes as 0; the local cloud counts them
    void describesStreamsByNameOrLastEventTimeWithTheirEventSummary() {
        logs.createLogGroup(r -> r.logGroupName(GROUP));
        for (String stream : List.of("job-a/algo-1", "job-b/algo-1", "job-b/algo-2")) {
            logs.createLogStream(r -> r.logGroupName(GROUP).logStreamName(stream));
        }
        long before = System.currentTimeMillis();
        put("job-b/algo-1", T + 10, "b1 starts", T + 20, "b1 ends");
        put("job-a/algo-1", T + 30, "a1 runs");
        long after = System.currentTimeMillis();

        DescribeLogStreamsResponse byName = logs.describeLogStreams(r -> r.logGroupName(GROUP).logStreamNamePrefix("job-b/"));
        assertEquals(List.of("job-b/algo-1", "job-b/algo-2"), names(byName));
        LogStream b1 = byName.logStreams().get(0);
        assertEquals(T + 10, b1.firstEventTimestamp());
        assertEquals(T + 20, b1.lastEventTimestamp());
        assertTrue(b1.lastIngestionTime() >= before && b1.lastIngestionTime() <= after, b1::toString);
        assertEquals("b1 starts".length() + "b1 ends".length(), b1.storedBytes());
        assertEquals("arn:aws:logs:us-east-1:000000000000:log-group:/aws/sagemaker/TrainingJobs:log-stream:job-b/algo-1", b1.arn());
        LogStream b2 = byName.logStreams().get(1);
        assertNull(b2.firstEventTimestamp());
        assertNull(b2.lastEventTimestamp());
        assertEquals(0L, b2.storedBytes());

        assertEquals(List.of("job-a/algo-1", "job-b/algo-1", "job-b/algo-2"), names(logs.describeLogStreams(r -> r
                .logGroupName(GROUP).orderBy(OrderBy.LAST_EVENT_TIME).descending(true))));
        assertEquals(List.of("job-b/algo-2", "job-b/algo-1", "job-a/algo-1"), names(logs.describeLogStreams(r -> r
                .logGroupName(GROUP).orderBy(OrderBy.LAST_EVENT_TIME))));
        assertEquals("b1 starts".length() + "b1 ends".length() + "a1 runs".length(),
                logs.describeLogGroups(r -> r.logGroupNamePrefix(GROUP)).logGroups().get(0).storedBytes(),
                "a group's storedBytes is its streams' sum");

        // One stream a page, newest first, until the token runs out.
        List<String> paged = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            DescribeLogStreamsResponse page = logs.describeLogStreams(r -> r.logGroupName(GROUP)
                    .orderBy(OrderBy.LOG_STREAM_NAME).descending(true).limit(1).nextToken(next));
            paged.addAll(names(page));
            token = page.nextToken();
        } while (token != null);
        assertEquals(List.of("job-b/algo-2", "job-b/algo-1", "job-a/algo-1"), paged);
    }

    @Test
    void readsTheTailByDefaultTheHeadOnRequestAndTimeRanges() {
        createStream("train");
        PutLogEventsResponse first = put("train", T, "e0", T + 1, "e1", T + 2, "e2");
        PutLogEventsResponse second = put("train", T + 3, "e3", T + 4, "e4");
        assertNotEquals(first.nextSequenceToken(), second.nextSequenceToken());

        assertEquals(List.of("e0", "e1", "e2", "e3", "e4"), messages(get(r -> { })));
        assertEquals(List.of("e3", "e4"), messages(get(r -> r.limit(2))));
        assertEquals(List.of("e0", "e1"), messages(get(r -> r.limit(2).startFromHead(true))));
        // startTime is inclusive, endTime exclusive.
        assertEquals(List.of("e1", "e2"), messages(get(r -> r.startTime(T + 1).endTime(T + 3))));

        OutputLogEvent event = get(r -> r.limit(1)).events().get(0);
        assertEquals(T + 4, event.timestamp());
        assertTrue(event.ingestionTime() >= T, event::toString);
    }

    @Test
    void pagesForwardUntilTheTokenRepeatsAndThenFollowsNewEvents() {
        createStream("train");
        put("train", IntStream.range(0, 7).mapToObj(i -> event(T + i, "e" + i)).toList());

        List<List<String>> pages = new ArrayList<>();
        GetLogEventsResponse page = get(r -> r.startFromHead(true).limit(3));
        pages.add(messages(page));
        String token;
        do {
            token = page.nextForwardToken();
            String from = token;
            page = get(r -> r.nextToken(from).limit(3));
            pages.add(messages(page));
        } while (!page.nextForwardToken().equals(token));
        assertEquals(List.of(List.of("e0", "e1", "e2"), List.of("e3", "e4", "e5"), List.of("e6"), List.of()), pages);
        assertTrue(token.matches("f/\\d+"), token);

        // The SDK's own paginator stops the same way.
        assertEquals(IntStream.range(0, 7).mapToObj(i -> "e" + i).toList(), logs.getLogEventsPaginator(r -> r
                .logGroupName(GROUP).logStreamName("train").startFromHead(true).limit(2)).events().stream()
                .map(OutputLogEvent::message).toList());

        put("train", T + 7, "e7");
        String end = token;
        assertEquals(List.of("e7"), messages(get(r -> r.nextToken(end))));
    }

    @Test
    void pagesBackwardUntilTheTokenRepeatsAndForwardAgainFromAnyPage() {
        createStream("train");
        put("train", IntStream.range(0, 7).mapToObj(i -> event(T + i, "e" + i)).toList());

        List<List<String>> pages = new ArrayList<>();
        GetLogEventsResponse page = get(r -> r.limit(3));
        pages.add(messages(page));
        GetLogEventsResponse second = null;
        String token;
        do {
            token = page.nextBackwardToken();
            String from = token;
            page = get(r -> r.nextToken(from).limit(3));
            second = second == null ? page : second;
            pages.add(messages(page));
        } while (!page.nextBackwardToken().equals(token));
        assertEquals(List.of(List.of("e4", "e5", "e6"), List.of("e1", "e2", "e3"), List.of("e0"), List.of()), pages);
        assertTrue(token.matches("b/\\d+"), token);

        String forward = second.nextForwardToken();
        assertEquals(List.of("e4", "e5"), messages(get(r -> r.nextToken(forward).limit(2))));
    }

    @Test
    void capsEachAnswerAtOneMegabyteAsAwsDoes() {
        createStream("train");
        // Six events of 200 kB: five fit in AWS's 1 MB per answer, the sixth comes on the next page.
        List<InputLogEvent> events = IntStream.range(0, 6).mapToObj(i -> event(T + i, i + "x".repeat(200_000))).toList();
        put("train", events.subList(0, 3));
        put("train", events.subList(3, 6));

        GetLogEventsResponse head = get(r -> r.startFromHead(true));
        assertEquals(5, head.events().size());
        assertEquals(1, get(r -> r.nextToken(head.nextForwardToken())).events().size());
        FilterLogEventsResponse filtered = filter(r -> { });
        assertEquals(5, filtered.events().size());
        assertEquals(List.of(T + 5), filter(r -> r.nextToken(filtered.nextToken())).events().stream()
                .map(FilteredLogEvent::timestamp).toList());
    }

    @Test
    void filtersByTermsPhrasesTimesAndStreams() {
        createStream("job/algo-1");
        createStream("job/algo-2");
        createStream("eval");
        put("job/algo-1", T, "epoch 1 loss 0.52", T + 20, "[ERROR] disk full on /opt/ml");
        put("job/algo-2", T + 10, "ERROR: out of memory", T + 30, "epoch 2 loss 0.31");
        put("eval", T + 40, "validation error rate 0.04");

        FilterLogEventsResponse errors = filter(r -> r.filterPattern("ERROR"));
        assertEquals(List.of("ERROR: out of memory", "[ERROR] disk full on /opt/ml"), filtered(errors));
        FilteredLogEvent oom = errors.events().get(0);
        assertEquals("job/algo-2", oom.logStreamName());
        assertEquals(T + 10, oom.timestamp());
        assertTrue(oom.ingestionTime() >= T, oom::toString);
        assertNotEquals(oom.eventId(), errors.events().get(1).eventId());
        assertNull(errors.nextToken());

        assertEquals(List.of("ERROR: out of memory"), filtered(filter(r -> r.filterPattern("\"out of memory\""))));
        assertEquals(List.of("[ERROR] disk full on /opt/ml"), filtered(filter(r -> r.filterPattern("disk ERROR"))));
        assertEquals(List.of(), filtered(filter(r -> r.filterPattern("\"memory out\""))));
        assertEquals(List.of("validation error rate 0.04"), filtered(filter(r -> r.filterPattern("error"))),
                "terms are case-sensitive");
        assertEquals(List.of("[ERROR] disk full on /opt/ml", "epoch 2 loss 0.31"),
                filtered(filter(r -> r.startTime(T + 20).endTime(T + 30))), "both ends are inclusive");
        assertEquals(List.of("epoch 1 loss 0.52", "epoch 2 loss 0.31"),
                filtered(filter(r -> r.logStreamNamePrefix("job/").filterPattern("epoch"))));
        assertEquals(List.of("validation error rate 0.04"), filtered(filter(r -> r.logStreamNames("eval"))));

        List<String> paged = new ArrayList<>();
        String token = null;
        do {
            String next = token;
            FilterLogEventsResponse page = filter(r -> r.filterPattern("loss").limit(1).nextToken(next));
            assertEquals(1, page.events().size());
            paged.addAll(filtered(page));
            token = page.nextToken();
        } while (token != null);
        assertEquals(List.of("epoch 1 loss 0.52", "epoch 2 loss 0.31"), paged);

        assertError(InvalidParameterException.class, "InvalidParameterException", "filterPattern term '-ERROR' is not"
                + " supported: the local CloudWatch Logs matches words of letters, digits and underscores and \"quoted"
                + " phrases\", all of which an event must contain", () -> filter(r -> r.filterPattern("epoch -ERROR")));
    }

    @Test
    void answersAwsErrors() {
        logs.createLogGroup(r -> r.logGroupName(GROUP));
        assertError(ResourceAlreadyExistsException.class, "ResourceAlreadyExistsException",
                "The specified log group already exists", () -> logs.createLogGroup(r -> r.logGroupName(GROUP)));
        assertError(ResourceNotFoundException.class, "ResourceNotFoundException", "The specified log stream does not exist.",
                () -> put("missing", T, "lost"));
        assertError(ResourceNotFoundException.class, "ResourceNotFoundException", "The specified log group does not exist.",
                () -> logs.createLogStream(r -> r.logGroupName("/missing").logStreamName("s")));
        createStream("train");
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "Log events in a single PutLogEvents request must be in chronological order.",
                () -> put("train", T + 1, "second", T, "first"));
        assertEquals(List.of(), messages(get(r -> { })), "a refused batch stores nothing");
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint:"
                        + " Member must satisfy regular expression pattern: [^:*]*",
                () -> logs.createLogStream(r -> r.logGroupName(GROUP).logStreamName("a:b")));
        assertError(InvalidParameterException.class, "InvalidParameterException",
                "The specified nextToken is invalid.", () -> get(r -> r.nextToken("f/123")));
    }

    @Test
    void answersMalformedJsonAndUnknownOperationsInAwsJsonErrors() throws Exception {
        HttpResponse<String> malformed = post("Logs_20140328.CreateLogGroup", "{\"logGroupName\": ");
        assertEquals(400, malformed.statusCode());
        JsonNode body = JsonRpc.JSON.readTree(malformed.body());
        assertEquals("SerializationException", body.get("__type").asText());
        assertTrue(body.get("message").asText().startsWith("the request body is not valid JSON: "), body::toString);
        assertFalse(body.get("message").asText().contains("\n"), body::toString);

        HttpResponse<String> unknown = post("Logs_20140328.TailLogs", "{}");
        assertEquals(400, unknown.statusCode());
        body = JsonRpc.JSON.readTree(unknown.body());
        assertEquals("UnknownOperationException", body.get("__type").asText());
        assertEquals("Logs_20140328.TailLogs is not an operation of this local service", body.get("message").asText());
    }

    @Test
    void keepsEventsAcrossRestarts() throws Exception {
        createStream("train");
        put("train", T, "before restart", T + 1, "still here");
        stop();
        open();

        assertEquals(List.of("before restart", "still here"), messages(get(r -> r.startFromHead(true))));
        LogStream stream = logs.describeLogStreams(r -> r.logGroupName(GROUP)).logStreams().get(0);
        assertEquals(T + 1, stream.lastEventTimestamp());
        assertEquals(2, service.eventCount());
    }

    @Test
    void appendCreatesGroupAndStreamAndOrdersEventsByTime() {
        String stream = "job-1/algo-1-1700000000";
        service.append(GROUP, stream, List.of(new LogEvent(T + 2, "[1]#011train-rmse:0.4"), new LogEvent(T, "Starting")));
        service.append(GROUP, stream, List.of(new LogEvent(T + 1, "Reading data")));
        service.append(GROUP, stream, List.of());

        assertEquals(List.of("Starting", "Reading data", "[1]#011train-rmse:0.4"), messages(get(stream, r -> r.startFromHead(true))));
        assertEquals(List.of(stream), names(logs.describeLogStreams(r -> r.logGroupName(GROUP))));
        assertEquals(3, service.eventCount());
        assertThrows(IllegalArgumentException.class, () -> new LogEvent(-1, "before 1970"));
    }

    @Test
    void deletingAGroupDeletesItsStreamsAndEvents() {
        createStream("train");
        put("train", T, "gone soon");
        logs.deleteLogGroup(r -> r.logGroupName(GROUP));

        assertEquals(List.of(), logs.describeLogGroups().logGroups());
        assertEquals(0, service.eventCount());
        assertError(ResourceNotFoundException.class, "ResourceNotFoundException", "The specified log group does not exist.",
                () -> logs.deleteLogGroup(r -> r.logGroupName(GROUP)));
    }

    private void createStream(String stream) {
        if (logs.describeLogGroups(r -> r.logGroupNamePrefix(GROUP)).logGroups().isEmpty()) {
            logs.createLogGroup(r -> r.logGroupName(GROUP));
        }
        logs.createLogStream(r -> r.logGroupName(GROUP).logStreamName(stream));
    }

    private static InputLogEvent event(long timestamp, String message) {
        return InputLogEvent.builder().timestamp(timestamp).message(message).build();
    }

    private PutLogEventsResponse put(String stream, long t1, String m1, Object... more) {
        List<InputLogEvent> events = new ArrayList<>(List.of(event(t1, m1)));
        for (int i = 0; i < more.length; i += 2) {
            events.add(event((Long) more[i], (String) more[i + 1]));
        }
        return put(stream, events);
    }

    private PutLogEventsResponse put(String stream, List<InputLogEvent> events) {
        return logs.putLogEvents(r -> r.logGroupName(GROUP).logStreamName(stream).logEvents(events));
    }

    private GetLogEventsResponse get(Consumer<GetLogEventsRequest.Builder> options) {
        return get("train", options);
    }

    private GetLogEventsResponse get(String stream, Consumer<GetLogEventsRequest.Builder> options) {
        return logs.getLogEvents(r -> options.accept(r.logGroupName(GROUP).logStreamName(stream)));
    }

    private FilterLogEventsResponse filter(Consumer<FilterLogEventsRequest.Builder> options) {
        return logs.filterLogEvents(r -> options.accept(r.logGroupName(GROUP)));
    }

    private static List<String> messages(GetLogEventsResponse response) {
        return response.events().stream().map(OutputLogEvent::message).toList();
    }

    private static List<String> filtered(FilterLogEventsResponse response) {
        return response.events().stream().map(FilteredLogEvent::message).toList();
    }

    private static List<String> names(DescribeLogStreamsResponse response) {
        return response.logStreams().stream().map(LogStream::logStreamName).toList();
    }

    private static void assertError(Class<? extends AwsServiceException> type, String code, String message, Executable call) {
        AwsServiceException e = assertThrows(type, call);
        assertEquals(code, e.awsErrorDetails().errorCode());
        assertEquals(message, e.awsErrorDetails().errorMessage());
        assertFalse(message.contains("\n"));
        assertEquals(400, e.statusCode());
    }

    private HttpResponse<String> post(String target, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(endpoint.uri() + "/"))
                .header("Content-Type", "application/x-amz-json-1.1")
                .header("X-Amz-Target", target)
                // ServiceEndpoint reads the credential scope but checks no signature: any 64 hex digits do.
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20250101/us-east-1/logs/aws4_request,"
                        + " SignedHeaders=host;x-amz-target, Signature=" + "0".repeat(64))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }
}
