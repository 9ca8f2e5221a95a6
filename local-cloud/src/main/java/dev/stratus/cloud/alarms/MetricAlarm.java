package dev.stratus.cloud.alarms;

import java.util.List;
import java.util.SortedMap;

/**
 * A CloudWatch metric alarm on a single metric, as PutMetricAlarm defines it, and its state. Times are epoch
 * milliseconds; {@code datapointsToAlarm}, {@code description}, {@code unit}, {@code treatMissingData} and
 * {@code evaluateLowSampleCountPercentile} are null when not given (DescribeAlarms leaves them out then), and exactly one
 * of {@code statistic} and {@code extendedStatistic} is set.
 */
record MetricAlarm(String name, String arn, String description, long configurationUpdated, boolean actionsEnabled,
                   List<String> okActions, List<String> alarmActions, List<String> insufficientDataActions,
                   String namespace, String metricName, SortedMap<String, String> dimensions, String statistic,
                   String extendedStatistic, int period, String unit, int evaluationPeriods, Integer datapointsToAlarm,
                   double threshold, String comparisonOperator, String treatMissingData,
                   String evaluateLowSampleCountPercentile, State state) {

    static final String OK = "OK";
    static final String ALARM = "ALARM";
    static final String INSUFFICIENT_DATA = "INSUFFICIENT_DATA";

    /** The alarm's state; {@code reasonData} is JSON text or null, {@code transitioned} the last change of value. */
    record State(String value, String reason, String reasonData, long updated, long transitioned) {
    }

    /** Statistic or ExtendedStatistic, whichever the alarm has. */
    String stat() {
        return statistic != null ? statistic : extendedStatistic;
    }

    /** M of "M out of N": DatapointsToAlarm, which is EvaluationPeriods when not given. */
    int datapointsNeeded() {
        return datapointsToAlarm != null ? datapointsToAlarm : evaluationPeriods;
    }

    /** TreatMissingData, "missing" when not given. */
    String missingData() {
        return treatMissingData != null ? treatMissingData : "missing";
    }

    /** The actions for entering {@code stateValue}. */
    List<String> actions(String stateValue) {
        return switch (stateValue) {
            case OK -> okActions;
            case ALARM -> alarmActions;
            default -> insufficientDataActions;
        };
    }

    MetricAlarm withState(State newState) {
        return new MetricAlarm(name, arn, description, configurationUpdated, actionsEnabled, okActions, alarmActions,
                insufficientDataActions, namespace, metricName, dimensions, statistic, extendedStatistic, period, unit,
                evaluationPeriods, datapointsToAlarm, threshold, comparisonOperator, treatMissingData,
                evaluateLowSampleCountPercentile, newState);
    }

    MetricAlarm withActionsEnabled(boolean enabled) {
        return new MetricAlarm(name, arn, description, configurationUpdated, enabled, okActions, alarmActions,
                insufficientDataActions, namespace, metricName, dimensions, statistic, extendedStatistic, period, unit,
                evaluationPeriods, datapointsToAlarm, threshold, comparisonOperator, treatMissingData,
                evaluateLowSampleCountPercentile, state);
    }
}
