package dev.stratus.cloud.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.cloudwatch.CloudWatchService;
import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.server.ServiceEndpoint;
import dev.stratus.cloud.state.Database;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.AlarmHistoryItem;
import software.amazon.awssdk.services.cloudwatch.model.AlarmType;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.DescribeAlarmsResponse;
import software.amazon.awssdk.services.cloudwatch.model.HistoryItemType;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.PutMetricAlarmRequest;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * Alarms driven by the real AWS SDK CloudWatch client, with the evaluator run by hand at chosen times on data put
 * in the past, so that each evaluation is exact.
 */
class AlarmsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter REASON_TIME = DateTimeFormatter.ofPattern("dd/MM/yy HH:mm:ss").withZone(ZoneOffset.UTC);

    @TempDir
    Path tempDir;

    private Database db;
    private Alarms alarms;
    private ServiceEndpoint endpoint;
    private CloudWatchClient cloudWatch;

    /** Two to three hours ago on the hour: inside PutMetricData's two weeks, and every period lines up with it. */
    private final Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));

    @BeforeEach
    void open() throws Exception {
        db = new Database(tempDir.resolve("state.db"));
        MetricsService metrics = new MetricsService(db);
        alarms = new Alarms(db, metrics, "us-east-1", Duration.ofHours(1)); // not started: the tests evaluate
        endpoint = new ServiceEndpoint(new CloudWatchService(metrics.operations(), alarms.operations()));
        cloudWatch = CloudWatchClient.builder().endpointOverride(endpoint.uri()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }

    @AfterEach
    void close() throws SQLException {
        cloudWatch.close();
        endpoint.close();
        db.close();
    }

    @Test
    void anAlarmGoesToAlarmAndBackToOkWithCloudWatchsReasons() throws Exception {
        alarm("errors", "Errors", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanOrEqualToThreshold").unit("Count").alarmActions(TOPIC).okActions(TOPIC));
        MetricAlarm created = describe("errors");
        assertEquals(StateValue.INSUFFICIENT_DATA, created.stateValue());
        assertEquals("Unchecked: Initial alarm creation", created.stateReason());
        assertEquals("arn:aws:cloudwatch:us-east-1:000000000000:alarm:errors", created.alarmArn());
        assertEquals(List.of(TOPIC), created.alarmActions());
        assertTrue(created.actionsEnabled());
        assertNull(created.datapointsToAlarm());
        assertNull(created.treatMissingData());

        put("Errors", hour, 3, "Count");
        put("Errors", hour, 1, "Count");
        evaluateAt(hour.plusSeconds(60));
        MetricAlarm alarming = describe("errors");
        assertEquals(StateValue.ALARM, alarming.stateValue());
        assertEquals("Threshold Crossed: 1 datapoint [4.0 (" + REASON_TIME.format(hour) + ")] was greater than or equal to"
                + " the threshold (1.0).", alarming.stateReason());
        JsonNode data = JSON.readTree(alarming.stateReasonData());
        assertEquals("1.0", data.path("version").asText());
        assertEquals(dataTime(hour), data.path("startDate").asText());
        assertEquals("Count", data.path("unit").asText());
        assertEquals("Sum", data.path("statistic").asText());
        assertEquals(60, data.path("period").asInt());
        assertEquals("[4.0]", data.path("recentDatapoints").toString());
        assertEquals(1.0, data.path("threshold").asDouble());
        assertEquals("[{\"timestamp\":\"" + dataTime(hour) + "\",\"sampleCount\":2.0,\"value\":4.0}]",
                data.path("evaluatedDatapoints").toString());
        assertTrue(data.path("queryDate").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000"));

        put("Errors", hour.plusSeconds(60), 0, "Count");
        evaluateAt(hour.plusSeconds(120));
        MetricAlarm ok = describe("errors");
        assertEquals(StateValue.OK, ok.stateValue());
        assertEquals("Threshold Crossed: 1 datapoint [0.0 (" + REASON_TIME.format(hour.plusSeconds(60)) + ")] was not greater"
                + " than or equal to the threshold (1.0).", ok.stateReason());

        List<AlarmHistoryItem> history = cloudWatch.describeAlarmHistory(r -> r.alarmName("errors")
                .historyItemType(HistoryItemType.STATE_UPDATE)).alarmHistoryItems();
        assertEquals(List.of("Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"),
                history.stream().map(AlarmHistoryItem::historySummary).toList());
        JsonNode toAlarm = JSON.readTree(history.get(1).historyData());
        assertEquals("INSUFFICIENT_DATA", toAlarm.path("oldState").path("stateValue").asText());
        assertEquals("Unchecked: Initial alarm creation", toAlarm.path("oldState").path("stateReason").asText());
        assertEquals("ALARM", toAlarm.path("newState").path("stateValue").asText());
        assertEquals(alarming.stateReason(), toAlarm.path("newState").path("stateReason").asText());
        assertEquals(data, toAlarm.path("newState").path("stateReasonData"));
        assertEquals(AlarmType.METRIC_ALARM, history.get(0).alarmType());
    }

    @Test
    void mOutOfNReasonsCountTheLastNAndNameTheMinimum() {
        alarm("m-of-n", "Load", r -> r.statistic("Maximum").period(60).evaluationPeriods(3).datapointsToAlarm(2).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold"));
        put("Load", hour, 5, null);
        put("Load", hour.plusSeconds(60), 0, null);
        put("Load", hour.plusSeconds(120), 7, null);
        evaluateAt(hour.plusSeconds(180));
        MetricAlarm alarm = describe("m-of-n");
        assertEquals(StateValue.ALARM, alarm.stateValue());
        assertEquals("Threshold Crossed: 2 out of the last 3 datapoints [7.0 (" + REASON_TIME.format(hour.plusSeconds(120))
                + "), 5.0 (" + REASON_TIME.format(hour) + ")] were greater than the threshold (1.0) (minimum 2 datapoints for"
                + " INSUFFICIENT_DATA -> ALARM transition).", alarm.stateReason());

        put("Load", hour.plusSeconds(180), 0, null);
        evaluateAt(hour.plusSeconds(240));
        assertEquals("Threshold Crossed: 2 out of the last 3 datapoints [0.0 (" + REASON_TIME.format(hour.plusSeconds(180))
                + "), 0.0 (" + REASON_TIME.format(hour.plusSeconds(60)) + ")] were not greater than the threshold (1.0)"
                + " (minimum 2 datapoints for ALARM -> OK transition).", describe("m-of-n").stateReason());
    }

    /**
     * CloudWatch's own examples ("How alarm state is evaluated when data is missing"): five datapoints of the evaluation
     * range, oldest first (0 within the threshold, X breaching, - missing), for EvaluationPeriods 3 and DatapointsToAlarm
     * 3 or 2, and the state each TreatMissingData gives ("retain": the state it had).
     */
    static Stream<Arguments> missingDataExamples() {
        String[][] table = {
                {"3", "0 - X - X", "OK", "OK", "OK", "OK"},
                {"3", "0 - - - -", "OK", "OK", "OK", "OK"},
                {"3", "- - - - -", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"},
                {"3", "0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"},
                {"3", "- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"},
                {"3", "X - - - -", "ALARM", "retain", "ALARM", "OK"},
                {"2", "0 - X - X", "ALARM", "ALARM", "ALARM", "ALARM"},
                {"2", "0 0 X 0 X", "ALARM", "ALARM", "ALARM", "ALARM"},
                {"2", "0 - X - -", "OK", "OK", "ALARM", "OK"},
                {"2", "- - - - 0", "OK", "OK", "ALARM", "OK"},
                {"2", "- - - - X", "INSUFFICIENT_DATA", "retain", "ALARM", "OK"},
        };
        List<String> treatments = List.of("missing", "ignore", "breaching", "notBreaching");
        List<Arguments> cases = new ArrayList<>();
        for (String[] row : table) {
            for (int t = 0; t < treatments.size(); t++) {
                cases.add(Arguments.of(Integer.parseInt(row[0]), row[1], treatments.get(t), row[2 + t]));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} of 3, {1}, {2}: {3}")
    @MethodSource("missingDataExamples")
    void missingDataIsTreatedAsCloudWatchDocumentsIt(int datapointsToAlarm, String datapoints, String treatMissingData,
                                                      String expected) {
        alarm("gaps", "Gaps", r -> r.statistic("Average").period(60).evaluationPeriods(3).datapointsToAlarm(datapointsToAlarm)
                .threshold(1.0).comparisonOperator("GreaterThanOrEqualToThreshold").treatMissingData(treatMissingData));
        // The state before: INSUFFICIENT_DATA where it must be kept or change to OK or ALARM, else OK.
        String before = expected.equals("INSUFFICIENT_DATA") ? "OK" : "INSUFFICIENT_DATA";
        if (before.equals("OK")) {
            cloudWatch.setAlarmState(r -> r.alarmName("gaps").stateValue(StateValue.OK).stateReason("before"));
        }
        String[] points = datapoints.split(" ");
        for (int i = 0; i < points.length; i++) {
            if (!points[i].equals("-")) {
                put("Gaps", hour.plusSeconds(60L * i), points[i].equals("X") ? 5 : 0, null);
            }
        }
        evaluateAt(hour.plusSeconds(60L * points.length));
        assertEquals(expected.equals("retain") ? before : expected, describe("gaps").stateValueAsString());
    }

    @Test
    void missingDataReasonsSayHowItWasTreated() throws Exception {
        alarm("breaching", "Silent", r -> r.statistic("Sum").period(60).evaluationPeriods(2).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold").treatMissingData("breaching"));
        alarm("not-breaching", "Silent", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold").treatMissingData("notBreaching"));
        alarm("missing", "Silent", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold"));
        cloudWatch.setAlarmState(r -> r.alarmName("missing").stateValue(StateValue.OK).stateReason("before"));
        evaluateAt(hour.plusSeconds(600));

        MetricAlarm breaching = describe("breaching");
        assertEquals(StateValue.ALARM, breaching.stateValue());
        assertEquals("Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as"
                + " [Breaching].", breaching.stateReason());
        JsonNode data = JSON.readTree(breaching.stateReasonData());
        assertEquals("[]", data.path("recentDatapoints").toString());
        assertFalse(data.has("startDate"));
        assertEquals("[{\"timestamp\":\"" + dataTime(hour.plusSeconds(540)) + "\"},{\"timestamp\":\""
                + dataTime(hour.plusSeconds(480)) + "\"}]", data.path("evaluatedDatapoints").toString());
        assertEquals("Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as"
                + " [NonBreaching].", describe("not-breaching").stateReason());
        assertEquals(StateValue.OK, describe("not-breaching").stateValue());
        assertEquals("Insufficient Data: 1 datapoint was unknown.", describe("missing").stateReason());
        assertEquals(StateValue.INSUFFICIENT_DATA, describe("missing").stateValue());
    }

    @Test
    void highResolutionAlarmsEvaluateTenSecondPeriodsOfHighResolutionData() {
        alarm("fast", "Fast", r -> r.statistic("Sum").period(10).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanOrEqualToThreshold"));
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(datum("Fast", hour.plusSeconds(13), 2, null)
                .toBuilder().storageResolution(1).build()));
        evaluateAt(hour.plusSeconds(10));
        assertEquals(StateValue.INSUFFICIENT_DATA, describe("fast").stateValue());
        evaluateAt(hour.plusSeconds(20));
        assertEquals(StateValue.ALARM, describe("fast").stateValue());
        evaluateAt(hour.plusSeconds(30));
        assertEquals(StateValue.ALARM, describe("fast").stateValue(), "2 of the 3 periods of the range are missing: the last real one counts");
    }

    @Test
    void percentileAlarmsUseTheExtendedStatistic() {
        alarm("p99", "Latency", r -> r.extendedStatistic("p99").period(60).evaluationPeriods(1).threshold(100.0)
                .comparisonOperator("GreaterThanThreshold"));
        alarm("p99-significant", "Latency", r -> r.extendedStatistic("p99").period(60).evaluationPeriods(1).threshold(100.0)
                .comparisonOperator("GreaterThanThreshold").evaluateLowSampleCountPercentile("ignore"));
        List<Double> values = IntStream.rangeClosed(1, 100).mapToObj(i -> i <= 98 ? 10.0 : 500.0).toList();
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(MetricDatum.builder().metricName("Latency")
                .dimensions(d -> d.name("Host").value("a")).timestamp(hour).values(values).build()));
        evaluateAt(hour.plusSeconds(60));

        MetricAlarm p99 = describe("p99");
        assertEquals(StateValue.ALARM, p99.stateValue());
        assertEquals("p99", p99.extendedStatistic());
        assertTrue(p99.stateReason().startsWith("Threshold Crossed: 1 datapoint [500.0 ("), p99.stateReason());
        // 100 samples are too few for a p99 (1,000 are needed): the state does not change on them.
        assertEquals(StateValue.INSUFFICIENT_DATA, describe("p99-significant").stateValue());
    }

    @Test
    void anUpdateKeepsTheStateAndEveryChangeIsInTheHistory() throws Exception {
        alarm("cpu", "Cpu", r -> r.statistic("Average").period(300).evaluationPeriods(2).threshold(80.0)
                .comparisonOperator("GreaterThanThreshold").alarmDescription("CPU is high"));
        cloudWatch.setAlarmState(r -> r.alarmName("cpu").stateValue(StateValue.ALARM).stateReason("testing"));
        alarm("cpu", "Cpu", r -> r.statistic("Average").period(300).evaluationPeriods(2).threshold(90.0)
                .comparisonOperator("GreaterThanThreshold"));
        MetricAlarm updated = describe("cpu");
        assertEquals(90.0, updated.threshold());
        assertNull(updated.alarmDescription(), "an update replaces the whole configuration");
        assertEquals(StateValue.ALARM, updated.stateValue());
        assertEquals("testing", updated.stateReason());

        cloudWatch.deleteAlarms(r -> r.alarmNames("cpu", "no-such-alarm"));
        assertEquals(List.of(), cloudWatch.describeAlarms(r -> r.alarmNames("cpu")).metricAlarms());

        List<AlarmHistoryItem> history = cloudWatch.describeAlarmHistory(r -> r.alarmName("cpu").scanBy(ScanBy.TIMESTAMP_ASCENDING))
                .alarmHistoryItems();
        assertEquals(List.of("Alarm \"cpu\" created", "Alarm updated from INSUFFICIENT_DATA to ALARM", "Alarm \"cpu\" updated",
                "Alarm \"cpu\" deleted"), history.stream().map(AlarmHistoryItem::historySummary).toList());
        JsonNode created = JSON.readTree(history.get(0).historyData());
        assertEquals("Create", created.path("type").asText());
        assertEquals("CPU is high", created.path("createdAlarm").path("alarmDescription").asText());
        assertEquals("[{\"value\":\"a\",\"name\":\"Host\"}]", created.path("createdAlarm").path("dimensions").toString());
        JsonNode update = JSON.readTree(history.get(2).historyData());
        assertEquals("Update", update.path("type").asText());
        assertEquals(80.0, update.path("originalUpdatedAlarm").path("threshold").asDouble());
        assertEquals(90.0, update.path("updatedAlarm").path("threshold").asDouble());
        assertEquals("Delete", JSON.readTree(history.get(3).historyData()).path("type").asText());
        assertEquals(HistoryItemType.CONFIGURATION_UPDATE, history.get(3).historyItemType());
    }

    @Test
    void setAlarmStateLastsUntilTheNextEvaluation() throws Exception {
        alarm("manual", "Manual", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold").alarmActions(TOPIC));
        cloudWatch.setAlarmState(r -> r.alarmName("manual").stateValue(StateValue.ALARM).stateReason("testing the pager")
                .stateReasonData("{\"by\": \"a test\"}"));
        MetricAlarm set = describe("manual");
        assertEquals(StateValue.ALARM, set.stateValue());
        assertEquals("testing the pager", set.stateReason());
        assertEquals("{\"by\": \"a test\"}", set.stateReasonData());
        JsonNode item = JSON.readTree(cloudWatch.describeAlarmHistory(r -> r.alarmName("manual")
                .historyItemType(HistoryItemType.STATE_UPDATE)).alarmHistoryItems().get(0).historyData());
        assertEquals("a test", item.path("newState").path("stateReasonData").path("by").asText());

        evaluateAt(hour.plusSeconds(60));
        assertEquals(StateValue.INSUFFICIENT_DATA, describe("manual").stateValue());
    }

    @Test
    void actionsCanBeDisabledAndEnabled() {
        alarm("quiet", "Quiet", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold").alarmActions(TOPIC));
        cloudWatch.disableAlarmActions(r -> r.alarmNames("quiet", "no-such-alarm"));
        assertFalse(describe("quiet").actionsEnabled());
        cloudWatch.enableAlarmActions(r -> r.alarmNames("quiet"));
        assertTrue(describe("quiet").actionsEnabled());
    }

    @Test
    void describeAlarmsFiltersByNamePrefixStateAndActionAndPages() {
        for (String name : List.of("app-b", "app-a", "db-a")) {
            alarm(name, "M", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                    .comparisonOperator("GreaterThanThreshold").okActions(name.startsWith("db") ? List.of(TOPIC) : List.of()));
        }
        cloudWatch.setAlarmState(r -> r.alarmName("app-b").stateValue(StateValue.ALARM).stateReason("testing"));

        assertEquals(List.of("app-a", "app-b", "db-a"), names(cloudWatch.describeAlarms()));
        assertEquals(List.of("app-a", "db-a"), names(cloudWatch.describeAlarms(r -> r.alarmNames("db-a", "app-a", "none"))));
        assertEquals(List.of("app-a", "app-b"), names(cloudWatch.describeAlarms(r -> r.alarmNamePrefix("app-"))));
        assertEquals(List.of("app-b"), names(cloudWatch.describeAlarms(r -> r.stateValue(StateValue.ALARM))));
        assertEquals(List.of("db-a"), names(cloudWatch.describeAlarms(r -> r.actionPrefix("arn:aws:sns:"))));
        assertEquals(List.of(), names(cloudWatch.describeAlarms(r -> r.alarmTypes(AlarmType.COMPOSITE_ALARM))));

        DescribeAlarmsResponse first = cloudWatch.describeAlarms(r -> r.maxRecords(2));
        assertEquals(List.of("app-a", "app-b"), names(first));
        DescribeAlarmsResponse second = cloudWatch.describeAlarms(r -> r.maxRecords(2).nextToken(first.nextToken()));
        assertEquals(List.of("db-a"), names(second));
        assertNull(second.nextToken());
    }

    @Test
    void describeAlarmsForMetricMatchesTheWholeMetric() {
        alarm("on-a", "Requests", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold"));
        alarm("on-a-p90", "Requests", r -> r.extendedStatistic("p90").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold"));
        alarm("on-b", "Requests", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold").dimensions(d -> d.name("Host").value("b")));

        assertEquals(List.of("on-a", "on-a-p90"), cloudWatch.describeAlarmsForMetric(r -> r.namespace("App").metricName("Requests")
                .dimensions(d -> d.name("Host").value("a"))).metricAlarms().stream().map(MetricAlarm::alarmName).toList());
        assertEquals(List.of("on-a"), cloudWatch.describeAlarmsForMetric(r -> r.namespace("App").metricName("Requests")
                .dimensions(d -> d.name("Host").value("a")).statistic("Sum")).metricAlarms().stream()
                .map(MetricAlarm::alarmName).toList());
        assertEquals(List.of(), cloudWatch.describeAlarmsForMetric(r -> r.namespace("App").metricName("Requests"))
                .metricAlarms(), "without its dimensions it is another metric");
    }

    @Test
    void describeAlarmHistoryFiltersByTypeAndTimeAndPages() {
        alarm("history", "H", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold"));
        Instant afterCreate = Instant.now().plusMillis(5);
        for (StateValue state : List.of(StateValue.ALARM, StateValue.OK, StateValue.ALARM)) {
            cloudWatch.setAlarmState(r -> r.alarmName("history").stateValue(state).stateReason("testing"));
        }
        assertEquals(4, cloudWatch.describeAlarmHistory(r -> r.alarmName("history")).alarmHistoryItems().size());
        assertEquals(1, cloudWatch.describeAlarmHistory(r -> r.historyItemType(HistoryItemType.CONFIGURATION_UPDATE))
                .alarmHistoryItems().size());
        assertEquals(0, cloudWatch.describeAlarmHistory(r -> r.alarmName("other")).alarmHistoryItems().size());
        assertEquals(0, cloudWatch.describeAlarmHistory(r -> r.alarmName("history").endDate(hour)).alarmHistoryItems().size());

        var newest = cloudWatch.describeAlarmHistory(r -> r.alarmName("history").maxRecords(3));
        assertEquals(List.of("Alarm updated from OK to ALARM", "Alarm updated from ALARM to OK",
                "Alarm updated from INSUFFICIENT_DATA to ALARM"), newest.alarmHistoryItems().stream()
                .map(AlarmHistoryItem::historySummary).toList());
        assertEquals(List.of("Alarm \"history\" created"), cloudWatch.describeAlarmHistory(r -> r.alarmName("history")
                .maxRecords(3).nextToken(newest.nextToken())).alarmHistoryItems().stream()
                .map(AlarmHistoryItem::historySummary).toList());
        assertTrue(cloudWatch.describeAlarmHistory(r -> r.alarmName("history").startDate(afterCreate.plusSeconds(60)))
                .alarmHistoryItems().isEmpty());
    }

    /** A valid alarm, which each bad-input case spoils in one way. */
    private static PutMetricAlarmRequest.Builder valid() {
        return PutMetricAlarmRequest.builder().alarmName("bad").namespace("App").metricName("M").statistic("Sum").period(60)
                .evaluationPeriods(1).threshold(1.0).comparisonOperator("GreaterThanThreshold");
    }

    static Stream<Arguments> badAlarms() {
        return Stream.of(
                bad("a period that is no multiple of a minute", valid().period(15), "ValidationError",
                        "Period must be 10, 20, 30 or a multiple of 60, not 15"),
                bad("a period of 0", valid().period(0), "ValidationError", "Period must be 10, 20, 30 or a multiple of 60, not 0"),
                bad("an unknown statistic", valid().statistic("Avg"), "ValidationError",
                        "Value 'Avg' at 'statistic' failed to satisfy constraint: Member must satisfy enum value set"),
                bad("Statistic and ExtendedStatistic", valid().extendedStatistic("p99"), "InvalidParameterCombination",
                        "Give exactly one of Statistic"),
                bad("no statistic", valid().statistic((String) null), "InvalidParameterCombination", "Give exactly one of Statistic"),
                bad("an extended statistic that is no percentile", valid().statistic((String) null).extendedStatistic("tm99"),
                        "InvalidParameterValue", "The value tm99 for parameter ExtendedStatistic is not supported"),
                bad("no evaluation period", valid().evaluationPeriods(0), "ValidationError",
                        "Value '0' at 'evaluationPeriods' failed to satisfy constraint: Member must have value greater than or equal to 1"),
                bad("more datapoints to alarm than periods", valid().evaluationPeriods(2).datapointsToAlarm(3), "ValidationError",
                        "DatapointsToAlarm (3) must be less than or equal to EvaluationPeriods (2)"),
                bad("more than a day of minutes", valid().evaluationPeriods(1441), "ValidationError",
                        "Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400)"),
                bad("more than a week of hours", valid().period(3600).evaluationPeriods(169), "ValidationError",
                        "Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800)"),
                bad("an anomaly detection comparison", valid().comparisonOperator("GreaterThanUpperThreshold"), "ValidationError",
                        "is for anomaly detection alarms"),
                bad("an unknown comparison", valid().comparisonOperator("Above"), "ValidationError",
                        "Value 'Above' at 'comparisonOperator' failed to satisfy constraint"),
                bad("an unknown TreatMissingData", valid().treatMissingData("zero"), "ValidationError",
                        "The value zero is not supported for TreatMissingData parameter"),
                bad("an unknown EvaluateLowSampleCountPercentile", valid().evaluateLowSampleCountPercentile("maybe"),
                        "ValidationError", "Option maybe is not supported"),
                bad("an unknown unit", valid().unit("Furlongs"), "InvalidParameterValue", "The value Furlongs for parameter Unit"),
                bad("six alarm actions", valid().alarmActions(IntStream.range(0, 6).mapToObj(i -> TOPIC + i).toList()),
                        "ValidationError", "The collection AlarmActions must not have more than 5 members"),
                bad("an action that is no ARN", valid().okActions("my-topic"), "ValidationError",
                        "Invalid arn syntax: my-topic (OKActions.member.1)"),
                bad("a name longer than 255", valid().alarmName("a".repeat(256)), "ValidationError",
                        "at 'alarmName' failed to satisfy constraint: Member must have length less than or equal to 255"),
                bad("no metric name", valid().metricName(null), "MissingParameter", "The parameter MetricName is required."),
                bad("no threshold", valid().threshold(null), "MissingParameter", "The parameter Threshold is required."),
                bad("a dimension twice", valid().dimensions(d -> d.name("Host").value("a"), d -> d.name("Host").value("b")),
                        "InvalidParameterValue", "The dimension Host appears twice in Dimensions."),
                bad("metric math", valid().metricName(null).namespace(null).statistic((String) null).period(null).metrics(
                        q -> q.id("e1").expression("m1 * 2")), "ValidationError", "single metrics only, without metric math"),
                bad("tags", valid().tags(t -> t.key("team").value("ml")), "ValidationError", "does not keep alarm tags"));
    }

    private static Arguments bad(String what, PutMetricAlarmRequest.Builder request, String code, String message) {
        return Arguments.of(what, request.build(), code, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badAlarms")
    void badAlarmsAreRefusedWithOneLineNamingTheProblem(String what, PutMetricAlarmRequest request, String code, String message) {
        assertError(code, message, () -> cloudWatch.putMetricAlarm(request));
        assertEquals(List.of(), cloudWatch.describeAlarms().metricAlarms());
    }

    @Test
    void badRequestsOfTheOtherOperationsAreRefused() {
        alarm("there", "M", r -> r.statistic("Sum").period(60).evaluationPeriods(1).threshold(1.0)
                .comparisonOperator("GreaterThanThreshold"));
        assertError("ValidationError", "Value 'BROKEN' at 'stateValue' failed to satisfy constraint: Member must satisfy enum"
                + " value set: [INSUFFICIENT_DATA, ALARM, OK]",
                () -> cloudWatch.setAlarmState(r -> r.alarmName("there").stateValue("BROKEN").stateReason("x")));
        // The SDK names CloudWatch's ResourceNotFound code DashboardNotFoundErrorException, whichever resource is missing.
        CloudWatchException notFound = assertError("ResourceNotFound", "The alarm nowhere does not exist: create it with"
                + " PutMetricAlarm, or check the name with DescribeAlarms.",
                () -> cloudWatch.setAlarmState(r -> r.alarmName("nowhere").stateValue(StateValue.OK).stateReason("x")));
        assertEquals(404, notFound.statusCode());
        assertError("InvalidFormat", "StateReasonData is not valid JSON",
                () -> cloudWatch.setAlarmState(r -> r.alarmName("there").stateValue(StateValue.OK).stateReason("x")
                        .stateReasonData("{not json")));
        assertError("MissingParameter", "The parameter StateReason is required.",
                () -> cloudWatch.setAlarmState(r -> r.alarmName("there").stateValue(StateValue.OK)));
        assertError("InvalidParameterCombination", "AlarmNames and AlarmNamePrefix cannot be used together",
                () -> cloudWatch.describeAlarms(r -> r.alarmNames("there").alarmNamePrefix("t")));
        assertError("ValidationError", "Value '101' at 'maxRecords' failed to satisfy constraint",
                () -> cloudWatch.describeAlarms(r -> r.maxRecords(101)));
        assertError("InvalidNextToken", "The NextToken x was not given by DescribeAlarms",
                () -> cloudWatch.describeAlarms(r -> r.nextToken("x")));
        assertError("ValidationError", "Value 'ON' at 'stateValue' failed to satisfy constraint",
                () -> cloudWatch.describeAlarms(r -> r.stateValue("ON")));
        assertError("ValidationError", "The local CloudWatch has no composite alarms (ChildrenOfAlarmName)",
                () -> cloudWatch.describeAlarms(r -> r.childrenOfAlarmName("there")));
        assertError("ValidationError", "Value 'Everything' at 'historyItemType' failed to satisfy constraint",
                () -> cloudWatch.describeAlarmHistory(r -> r.historyItemType("Everything")));
        assertError("ValidationError", "Value 'Sideways' at 'scanBy' failed to satisfy constraint",
                () -> cloudWatch.describeAlarmHistory(r -> r.scanBy("Sideways")));
        assertError("MissingParameter", "The parameter AlarmNames is required.", () -> cloudWatch.deleteAlarms(r -> { }));
        assertError("MissingParameter", "The parameter AlarmNames is required.", () -> cloudWatch.enableAlarmActions(r -> { }));
        assertError("MissingParameter", "The parameter Namespace is required.",
                () -> cloudWatch.describeAlarmsForMetric(r -> r.metricName("M")));
    }

    private CloudWatchException assertError(String code, String message, Executable call) {
        CloudWatchException e = assertThrows(CloudWatchException.class, call);
        assertEquals(code, e.awsErrorDetails().errorCode(), e.toString());
        String text = e.awsErrorDetails().errorMessage();
        assertTrue(text.contains(message), text);
        assertFalse(text.contains("\n"), "one line: " + text);
        return e;
    }

    private static final String TOPIC = "arn:aws:sns:us-east-1:000000000000:pager";

    /** Puts an alarm on metric {@code metricName} in namespace App, dimension Host=a unless the request says otherwise. */
    private void alarm(String name, String metricName, Consumer<PutMetricAlarmRequest.Builder> request) {
        PutMetricAlarmRequest.Builder builder = PutMetricAlarmRequest.builder().alarmName(name).namespace("App")
                .metricName(metricName).dimensions(d -> d.name("Host").value("a"));
        request.accept(builder);
        cloudWatch.putMetricAlarm(builder.build());
    }

    private MetricAlarm describe(String name) {
        List<MetricAlarm> found = cloudWatch.describeAlarms(r -> r.alarmNames(name)).metricAlarms();
        assertEquals(1, found.size(), name);
        return found.get(0);
    }

    private static List<String> names(DescribeAlarmsResponse response) {
        return response.metricAlarms().stream().map(MetricAlarm::alarmName).toList();
    }

    private void put(String metricName, Instant time, double value, String unit) {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(datum(metricName, time, value, unit)));
    }

    private static MetricDatum datum(String metricName, Instant time, double value, String unit) {
        return MetricDatum.builder().metricName(metricName).dimensions(d -> d.name("Host").value("a")).timestamp(time)
                .value(value).unit(unit).build();
    }

    /** Evaluates as the server does once the periods that end at {@code end} are complete. */
    private void evaluateAt(Instant end) {
        alarms.evaluator().evaluate(end.plus(AlarmEvaluator.SETTLE));
    }

    private static String dataTime(Instant time) {
        return DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS+0000").withZone(ZoneOffset.UTC).format(time);
    }
}
