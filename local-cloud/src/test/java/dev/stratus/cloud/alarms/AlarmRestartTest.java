package dev.stratus.cloud.alarms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.services.cloudwatch.model.AlarmHistoryItem;
import software.amazon.awssdk.services.cloudwatch.model.HistoryItemType;
import software.amazon.awssdk.services.cloudwatch.model.MetricAlarm;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StateValue;

/** Alarms, their state and their history survive a server restart, and the new server goes on evaluating them. */
class AlarmRestartTest {

    private static final Duration LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path home;

    @Test
    void aRestartedServerKeepsTheStateAndGoesOnEvaluating() throws Exception {
        try (LocalCloudFixture cloud = new LocalCloudFixture(home)) {
            cloud.cloudwatch.putMetricAlarm(r -> r.alarmName("queue").namespace("App").metricName("QueueDepth").statistic("Maximum")
                    .period(10).evaluationPeriods(1).threshold(100.0).comparisonOperator("GreaterThanThreshold")
                    .treatMissingData("ignore"));
            MetricAlarm alarming = awaitState(cloud, StateValue.ALARM, 500);

            cloud.close();
            cloud.start();
            MetricAlarm restarted = describe(cloud);
            assertEquals(StateValue.ALARM, restarted.stateValue());
            assertEquals(alarming.stateReason(), restarted.stateReason());
            assertEquals(alarming.stateReasonData(), restarted.stateReasonData());

            awaitState(cloud, StateValue.OK, 3);
            List<AlarmHistoryItem> history = cloud.cloudwatch.describeAlarmHistory(r -> r.alarmName("queue")
                    .historyItemType(HistoryItemType.STATE_UPDATE).scanBy(ScanBy.TIMESTAMP_ASCENDING)).alarmHistoryItems();
            assertEquals(List.of("Alarm updated from INSUFFICIENT_DATA to ALARM", "Alarm updated from ALARM to OK"),
                    history.stream().map(AlarmHistoryItem::historySummary).toList());
        }
    }

    /** Puts {@code depth} as a high-resolution value every half second until the alarm is in {@code state}. */
    private static MetricAlarm awaitState(LocalCloudFixture cloud, StateValue state, double depth) throws InterruptedException {
        Instant deadline = Instant.now().plus(LIMIT);
        MetricAlarm alarm;
        do {
            cloud.cloudwatch.putMetricData(r -> r.namespace("App").metricData(d -> d.metricName("QueueDepth").value(depth)
                    .storageResolution(1)));
            alarm = describe(cloud);
            if (alarm.stateValue() == state) {
                return alarm;
            }
            Thread.sleep(500);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("alarm queue did not go to " + state + " in " + LIMIT + ": " + alarm);
    }

    private static MetricAlarm describe(LocalCloudFixture cloud) {
        return cloud.cloudwatch.describeAlarms(r -> r.alarmNames("queue")).metricAlarms().get(0);
    }
}
