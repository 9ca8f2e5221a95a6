package dev.stratus.cloud.cloudwatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.testing.AwsCli;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/**
 * CloudWatch in awsJson1_0, as botocore 1.3x and later (the AWS CLI v1, boto3) send it: requests signed by the SDK's
 * signer with botocore's headers, checked against what the AWS SDK for Java (awsQuery) sees of the same data.
 */
class CloudWatchJsonTest {

    private static final String TARGET = "GraniteServiceVersion20100801.";

    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();

    @Test
    void metricsPutInJsonAreReadInJsonAndByTheSdk() throws Exception {
        Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        call("PutMetricData", """
                {"Namespace": "Json", "MetricData": [{"MetricName": "Latency", "Timestamp": %d.25,
                  "Dimensions": [{"Name": "Host", "Value": "a"}], "Values": [10, 20.5], "Counts": [1, 3], "Unit": "Milliseconds"}]}
                """.formatted(minute.getEpochSecond()));

        Datapoint seen = cloud.cloudwatch.getMetricStatistics(r -> r.namespace("Json").metricName("Latency")
                .dimensions(d -> d.name("Host").value("a")).startTime(minute).endTime(minute.plusSeconds(60)).period(60)
                .statistics(Statistic.SUM, Statistic.SAMPLE_COUNT)).datapoints().get(0);
        assertEquals(10 + 3 * 20.5, seen.sum(), 1e-9, "the JSON values and counts reached the store");
        assertEquals(4, seen.sampleCount(), 1e-9);

        JsonNode json = call("GetMetricStatistics", """
                {"Namespace": "Json", "MetricName": "Latency", "Dimensions": [{"Name": "Host", "Value": "a"}],
                 "StartTime": %d, "EndTime": %d, "Period": 60, "Statistics": ["Sum", "Maximum"]}
                """.formatted(minute.getEpochSecond(), minute.getEpochSecond() + 60));
        assertEquals("Latency", json.path("Label").asText());
        JsonNode point = json.path("Datapoints").get(0);
        assertTrue(point.path("Timestamp").isNumber(), "JSON time stamps are epoch seconds: " + point);
        assertEquals(minute.getEpochSecond(), point.path("Timestamp").asLong());
        assertTrue(point.path("Sum").isNumber());
        assertEquals(71.5, point.path("Sum").asDouble(), 1e-9);
        assertEquals(20.5, point.path("Maximum").asDouble(), 1e-9);
        assertEquals("Milliseconds", point.path("Unit").asText());

        JsonNode listed = call("ListMetrics", "{\"Namespace\": \"Json\"}");
        assertEquals("Host", listed.path("Metrics").get(0).path("Dimensions").get(0).path("Name").asText());
    }

    @Test
    void alarmsPutInJsonKeepTheirTypes() throws Exception {
        call("PutMetricAlarm", """
                {"AlarmName": "json-alarm", "Namespace": "Json", "MetricName": "Errors", "Statistic": "Sum", "Period": 60,
                 "EvaluationPeriods": 2, "Threshold": 1.5, "ComparisonOperator": "GreaterThanThreshold",
                 "ActionsEnabled": false, "AlarmActions": ["arn:aws:sns:us-east-1:000000000000:pager"]}
                """);
        MetricAlarm seen = cloud.cloudwatch.describeAlarms(r -> r.alarmNames("json-alarm")).metricAlarms().get(0);
        assertFalse(seen.actionsEnabled());
        assertEquals(2, seen.evaluationPeriods());

        JsonNode alarm = call("DescribeAlarms", "{\"AlarmNames\": [\"json-alarm\"]}").path("MetricAlarms").get(0);
        assertTrue(alarm.path("ActionsEnabled").isBoolean());
        assertFalse(alarm.path("ActionsEnabled").asBoolean());
        assertTrue(alarm.path("Period").isIntegralNumber());
        assertEquals(1.5, alarm.path("Threshold").asDouble(), 1e-9);
        assertEquals("arn:aws:sns:us-east-1:000000000000:pager", alarm.path("AlarmActions").get(0).asText());
        assertTrue(alarm.path("OKActions").isArray() && alarm.path("OKActions").isEmpty(), "an empty list is a list: " + alarm);
        assertTrue(alarm.path("StateUpdatedTimestamp").isNumber());
    }

    @Test
    void errorsCarryTheirQueryCodeForBotocore() throws Exception {
        HttpResponse<String> missing = send("SetAlarmState", "{\"AlarmName\": \"nope\", \"StateValue\": \"ALARM\", \"StateReason\": \"x\"}");
        assertEquals(404, missing.statusCode());
        assertEquals("ResourceNotFound", JsonRpc.JSON.readTree(missing.body()).path("__type").asText());
        assertEquals("ResourceNotFound;Sender", missing.headers().firstValue("x-amzn-query-error").orElse(null));

        HttpResponse<String> mistyped = send("PutMetricData", "{\"Namespace\": \"Json\", \"MetricData\": {\"MetricName\": \"m\"}}");
        assertEquals(400, mistyped.statusCode());
        JsonNode error = JsonRpc.JSON.readTree(mistyped.body());
        assertEquals("SerializationException", error.path("__type").asText());
        assertEquals("MetricData must be a list", error.path("message").asText());

        HttpResponse<String> required = send("PutMetricData", "{\"MetricData\": [{\"MetricName\": \"m\", \"Value\": 1}]}");
        assertEquals("MissingParameter", JsonRpc.JSON.readTree(required.body()).path("__type").asText());
        assertTrue(cloud.cloudwatch.listMetrics(r -> r.metricName("m")).metrics().isEmpty(), "nothing was written");

        HttpResponse<String> unknown = send("LaunchRocket", "{}");
        assertEquals("UnknownOperationException", JsonRpc.JSON.readTree(unknown.body()).path("__type").asText());

        CloudHome.Credentials wrong = new CloudHome.Credentials(cloud.cloud().credentials().accessKeyId(), "not-the-secret");
        HttpResponse<String> forged = cloud.sendJson("monitoring", TARGET + "ListMetrics", "application/x-amz-json-1.0", "{}",
                wrong, Map.of("x-amzn-query-mode", "true"));
        assertEquals(403, forged.statusCode());
        assertEquals("SignatureDoesNotMatch", JsonRpc.JSON.readTree(forged.body()).path("__type").asText(),
                "the router's errors answer a JSON request in JSON: " + forged.body());
        assertEquals("SignatureDoesNotMatch;Sender", forged.headers().firstValue("x-amzn-query-error").orElse(null));
    }

    @Test
    void anotherAwsCliOnPathPutsAndReadsMetricsAndAlarms(@TempDir Path work) throws Exception {
        Optional<AwsCli> found = AwsCli.otherOnPath(cloud, work);
        assumeTrue(found.isPresent(), "no AWS CLI on PATH besides Debian's (a pip-installed one speaks awsJson to CloudWatch)");
        AwsCli cli = found.get();
        AwsCli.Result put = cli.run("cloudwatch", "put-metric-data", "--namespace", "Cli", "--metric-name", "Depth",
                "--value", "3", "--unit", "Count", "--dimensions", "Queue=q1");
        assertEquals(0, put.exitCode(), cli.executable() + ": " + put.stderr());
        JsonNode metric = cli.run("cloudwatch", "list-metrics", "--namespace", "Cli").json().path("Metrics").get(0);
        assertEquals("Depth", metric.path("MetricName").asText());
        assertEquals("q1", metric.path("Dimensions").get(0).path("Value").asText());

        assertEquals(0, cli.run("cloudwatch", "put-metric-alarm", "--alarm-name", "deep", "--namespace", "Cli",
                "--metric-name", "Depth", "--dimensions", "Name=Queue,Value=q1", "--statistic", "Maximum", "--period", "60",
                "--evaluation-periods", "1", "--threshold", "2", "--comparison-operator", "GreaterThanThreshold").exitCode());
        JsonNode alarm = cli.run("cloudwatch", "describe-alarms", "--alarm-names", "deep").json().path("MetricAlarms").get(0);
        assertTrue(alarm.path("ActionsEnabled").asBoolean());
        assertEquals(2.0, alarm.path("Threshold").asDouble(), 1e-9);
        assertEquals(60, alarm.path("Period").asInt());

        AwsCli.Result missing = cli.run("cloudwatch", "set-alarm-state", "--alarm-name", "nope", "--state-value", "ALARM",
                "--state-reason", "x");
        assertTrue(missing.exitCode() != 0 && missing.stderr().contains("(ResourceNotFound)"), missing.stderr());
    }

    private static JsonNode call(String operation, String body) throws Exception {
        HttpResponse<String> response = send(operation, body);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/x-amz-json-1.0", response.headers().firstValue("Content-Type").orElse(null));
        return JsonRpc.JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(String operation, String body) throws Exception {
        return cloud.sendJson("monitoring", TARGET + operation, "application/x-amz-json-1.0", body, cloud.cloud().credentials(),
                Map.of("x-amzn-query-mode", "true"));
    }
}
