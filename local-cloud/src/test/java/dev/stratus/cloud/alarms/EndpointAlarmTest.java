package dev.stratus.cloud.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.testing.AwsCli;
import dev.stratus.cloud.testing.InvocationLoad;
import dev.stratus.cloud.testing.LocalCloudFixture;
import dev.stratus.cloud.testing.ModelArchives;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatch.model.AlarmHistoryItem;
import software.amazon.awssdk.services.cloudwatch.model.HistoryItemType;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/**
 * An alarm on an endpoint's Invocation5XXErrors in a whole local cloud, evaluated by the server: a loop of requests
 * the model fails sends it to ALARM, requests it answers bring it back to OK, and the AWS SDK and the AWS CLI both see
 * the two transitions. The fixture keeps endpoint metrics to the second and looks at alarms every second, so a
 * 10-second alarm moves within seconds.
 */
class EndpointAlarmTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path work;
    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();

    @BeforeAll
    static void start() throws Exception {
        cloud.s3.createBucket(r -> r.bucket("models"));
        cloud.s3.putObject(r -> r.bucket("models").key("m/model.tar.gz"), RequestBody.fromBytes(ModelArchives.model(2, 10)));
        cloud.sagemaker.createModel(r -> r.modelName("served").executionRoleArn(LocalCloudFixture.ROLE)
                .primaryContainer(c -> c.image(LocalCloudFixture.MODEL_SERVER_IMAGE).modelDataUrl("s3://models/m/model.tar.gz")));
        cloud.sagemaker.createEndpointConfig(r -> r.endpointConfigName("served-config").productionVariants(v -> v
                .variantName("AllTraffic").modelName("served").initialInstanceCount(1).instanceType("ml.m5.large")));
        cloud.sagemaker.createEndpoint(r -> r.endpointName("served").endpointConfigName("served-config"));
        assertEquals("InService", cloud.awaitEndpointSettled("served").endpointStatusAsString());
    }

    @Test
    void fiveHundredsSendTheAlarmToAlarmAndAnswersBringItBack() throws Exception {
        cloud.cloudwatch.putMetricAlarm(r -> r.alarmName("served-5xx").namespace("AWS/SageMaker").metricName("Invocation5XXErrors")
                .dimensions(d -> d.name("EndpointName").value("served"), d -> d.name("VariantName").value("AllTraffic"))
                .statistic("Sum").period(10).evaluationPeriods(1).threshold(1.0).comparisonOperator("GreaterThanOrEqualToThreshold")
                .alarmActions("arn:aws:sns:us-east-1:000000000000:on-call"));
        // A percentile of the model's latency, as users alarm on it: it needs the single values, not only their sums.
        cloud.cloudwatch.putMetricAlarm(r -> r.alarmName("served-p99").namespace("AWS/SageMaker").metricName("ModelLatency")
                .dimensions(d -> d.name("EndpointName").value("served"), d -> d.name("VariantName").value("AllTraffic"))
                .extendedStatistic("p99").period(10).evaluationPeriods(1).threshold(0.0).comparisonOperator("GreaterThanThreshold"));

        try (InvocationLoad failing = load("fail")) {
            MetricAlarm alarm = awaitState("served-5xx", StateValue.ALARM);
            assertTrue(failing.failures().size() > 0, "the model answered 500");
            assertTrue(alarm.stateReason().matches("Threshold Crossed: 1 datapoint \\[\\d+\\.0 \\(.+\\)\\] was greater than or equal"
                    + " to the threshold \\(1\\.0\\)\\."), alarm.stateReason());
        }
        try (InvocationLoad answered = load("1,2")) {
            MetricAlarm alarm = awaitState("served-5xx", StateValue.OK);
            assertTrue(answered.answers().size() > 0);
            assertTrue(alarm.stateReason().matches("Threshold Crossed: 1 datapoint \\[0\\.0 \\(.+\\)\\] was not greater than or"
                    + " equal to the threshold \\(1\\.0\\)\\."), alarm.stateReason());
            MetricAlarm latency = awaitState("served-p99", StateValue.ALARM);
            assertTrue(latency.stateReason().matches("Threshold Crossed: 1 datapoint \\[[0-9]+\\.0 \\(.+\\)\\] was greater than the"
                    + " threshold \\(0\\.0\\)\\."), latency.stateReason());
        }

        List<AlarmHistoryItem> history = cloud.cloudwatch.describeAlarmHistory(r -> r.alarmName("served-5xx")
                .historyItemType(HistoryItemType.STATE_UPDATE).scanBy(ScanBy.TIMESTAMP_ASCENDING)).alarmHistoryItems();
        assertEquals(List.of("Alarm updated from INSUFFICIENT_DATA to ALARM", "Alarm updated from ALARM to OK"),
                history.stream().map(AlarmHistoryItem::historySummary).toList());

        // The same through Debian's AWS CLI.
        AwsCli cli = new AwsCli(cloud, work);
        AwsCli.Result described = cli.run("cloudwatch", "describe-alarms", "--alarm-names", "served-5xx");
        assertEquals(0, described.exitCode(), described.stderr());
        JsonNode alarm = described.json().path("MetricAlarms").get(0);
        assertEquals("OK", alarm.path("StateValue").asText(), alarm.toString());
        assertEquals("Invocation5XXErrors", alarm.path("MetricName").asText());
        assertEquals(10, alarm.path("Period").asInt());
        assertTrue(alarm.path("StateReason").asText().startsWith("Threshold Crossed: 1 datapoint [0.0"), alarm.toString());
        AwsCli.Result items = cli.run("cloudwatch", "describe-alarm-history", "--alarm-name", "served-5xx",
                "--history-item-type", "StateUpdate");
        assertEquals(0, items.exitCode(), items.stderr());
        List<String> summaries = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (JsonNode item : items.json().path("AlarmHistoryItems")) {
            summaries.add(item.path("HistorySummary").asText());
            reasons.add(JSON.readTree(item.path("HistoryData").asText())
                    .path("newState").path("stateReason").asText());
        }
        assertEquals(List.of("Alarm updated from ALARM to OK", "Alarm updated from INSUFFICIENT_DATA to ALARM"), summaries);
        assertTrue(reasons.stream().allMatch(reason -> reason.startsWith("Threshold Crossed: 1 datapoint [")), reasons.toString());
        AwsCli.Result missing = cli.run("cloudwatch", "set-alarm-state", "--alarm-name", "nowhere", "--state-value", "OK",
                "--state-reason", "x");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("(ResourceNotFound)") && missing.stderr().contains("The alarm nowhere does not exist"),
                missing.stderr());
    }

    /** Invokes the endpoint with {@code body} in a loop, bounded in time and count, on the loopback endpoint. */
    private static InvocationLoad load(String body) {
        return new InvocationLoad(cloud.cloud().endpoint(), cloud.cloud().credentials(), "served", body, LIMIT, 3000);
    }

    private static MetricAlarm awaitState(String name, StateValue state) throws InterruptedException {
        Instant deadline = Instant.now().plus(LIMIT);
        MetricAlarm alarm;
        do {
            alarm = cloud.cloudwatch.describeAlarms(r -> r.alarmNames(name)).metricAlarms().get(0);
            if (alarm.stateValue() == state) {
                return alarm;
            }
            Thread.sleep(200);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("alarm " + name + " did not go to " + state + " in " + LIMIT + ": " + alarm);
    }
}
