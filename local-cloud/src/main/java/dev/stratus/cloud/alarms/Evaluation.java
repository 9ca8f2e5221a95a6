package dev.stratus.cloud.alarms;

import static dev.stratus.cloud.alarms.MetricAlarm.ALARM;
import static dev.stratus.cloud.alarms.MetricAlarm.INSUFFICIENT_DATA;
import static dev.stratus.cloud.alarms.MetricAlarm.OK;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.metrics.MetricsService.Datapoint;
import dev.stratus.cloud.server.JsonRpc;

/**
 * One evaluation of an alarm, as CloudWatch documents it ("Configuring how CloudWatch alarms treat missing data"):
 * the datapoints of the evaluation range, a few more periods than EvaluationPeriods, decide the state; when at least
 * EvaluationPeriods of them exist, the most recent EvaluationPeriods do and TreatMissingData plays no part; when fewer
 * exist, missing ones are filled as TreatMissingData says, as few as possible. The state reasons and StateReasonData
 * are in CloudWatch's words and shape.
 */
final class Evaluation {

    /** The new state (null: the alarm keeps its state, as TreatMissingData=ignore asks), why, and StateReasonData. */
    record Outcome(String state, String reason, ObjectNode reasonData) {
    }

    private static final DateTimeFormatter REASON_TIME = DateTimeFormatter.ofPattern("dd/MM/yy HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DATA_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS+0000")
            .withZone(ZoneOffset.UTC);

    /** A period of the evaluation range; {@code point} is null where it has no datapoint. */
    private record Slot(long start, Datapoint point, int age) {
    }

    private Evaluation() {
    }

    /**
     * The evaluation range for EvaluationPeriods N: N + max(N / 3, 2) periods. CloudWatch retrieves "a higher number of
     * data points than specified by Evaluation Periods" without saying how many; its documented example retrieves 5
     * for N = 3, which this rule gives.
     */
    static int rangePeriods(int evaluationPeriods) {
        return evaluationPeriods + Math.max(evaluationPeriods / 3, 2);
    }

    /**
     * Evaluates the alarm on {@code data}, its datapoints of the {@link #rangePeriods} periods that end at {@code end}
     * (epoch milliseconds), at {@code queryTime}.
     */
    static Outcome evaluate(MetricAlarm alarm, List<Datapoint> data, long end, long queryTime) {
        long period = alarm.period() * 1000L;
        int n = alarm.evaluationPeriods();
        int m = alarm.datapointsNeeded();
        int range = rangePeriods(n);
        Map<Long, Datapoint> byStart = new HashMap<>();
        data.forEach(d -> byStart.put(d.time(), d));
        List<Slot> slots = new ArrayList<>(); // oldest first; age 1 is the most recent period
        for (int age = range; age >= 1; age--) {
            long start = end - age * period;
            slots.add(new Slot(start, byStart.get(start), age));
        }
        List<Slot> existing = slots.stream().filter(s -> s.point() != null).toList();
        if (tooFewSamples(alarm, existing)) {
            return new Outcome(null, null, null);
        }

        if (existing.size() >= n) {
            List<Slot> evaluated = existing.subList(existing.size() - n, existing.size());
            long breaching = evaluated.stream().filter(s -> breaches(alarm, s)).count();
            return thresholdCrossed(alarm, breaching >= m ? ALARM : OK, evaluated, 0, queryTime);
        }
        String missingData = alarm.missingData();
        if (existing.isEmpty()) {
            List<Slot> evaluated = slots.subList(range - n, range);
            return switch (missingData) {
                case "breaching" -> new Outcome(ALARM, noDatapoints(n, "Breaching"), reasonData(alarm, evaluated, queryTime));
                case "notBreaching" -> new Outcome(OK, noDatapoints(n, "NonBreaching"), reasonData(alarm, evaluated, queryTime));
                case "ignore" -> new Outcome(null, null, null);
                default -> new Outcome(INSUFFICIENT_DATA, unknown(n), reasonData(alarm, evaluated, queryTime));
            };
        }

        // Fewer than N datapoints: every real one counts, and as few missing ones as make N.
        int fills = n - existing.size();
        List<Slot> missing = slots.stream().filter(s -> s.point() == null).toList();
        List<Slot> evaluated = new ArrayList<>(existing);
        evaluated.addAll(missing.subList(missing.size() - fills, missing.size()));
        evaluated.sort(Comparator.comparingLong(Slot::start));
        long breaching = existing.stream().filter(s -> breaches(alarm, s)).count();
        if (missingData.equals("breaching") || missingData.equals("notBreaching")) {
            long breachingWithFills = breaching + (missingData.equals("breaching") ? fills : 0);
            return thresholdCrossed(alarm, breachingWithFills >= m ? ALARM : OK, evaluated,
                    missingData.equals("breaching") ? fills : -fills, queryTime);
        }
        boolean keep = missingData.equals("ignore");
        if (breaching >= m) {
            return thresholdCrossed(alarm, ALARM, evaluated, 0, queryTime);
        }
        if (breaching < existing.size()) {
            return thresholdCrossed(alarm, OK, evaluated, 0, queryTime);
        }
        // Only breaching datapoints, fewer than M: ALARM once the oldest of them is M periods old (CloudWatch's guard
        // against premature alarms on intermittent data), else too little is known.
        if (keep) {
            return new Outcome(null, null, null);
        }
        if (existing.get(0).age() >= m) {
            return thresholdCrossed(alarm, ALARM, evaluated, 0, queryTime);
        }
        return new Outcome(INSUFFICIENT_DATA, unknown(fills), reasonData(alarm, evaluated, queryTime));
    }

    static boolean breaches(MetricAlarm alarm, double value) {
        double threshold = alarm.threshold();
        return switch (alarm.comparisonOperator()) {
            case "GreaterThanOrEqualToThreshold" -> value >= threshold;
            case "GreaterThanThreshold" -> value > threshold;
            case "LessThanThreshold" -> value < threshold;
            default -> value <= threshold; // LessThanOrEqualToThreshold
        };
    }

    private static boolean breaches(MetricAlarm alarm, Slot slot) {
        return breaches(alarm, slot.point().value());
    }

    /**
     * EvaluateLowSampleCountPercentile=ignore: a percentile over fewer than 10 / (1 - p) samples (p of 0.5 and more) or
     * 10 / p samples (below 0.5) is not significant, and the alarm does not change state on it.
     */
    private static boolean tooFewSamples(MetricAlarm alarm, List<Slot> existing) {
        if (alarm.extendedStatistic() == null || !"ignore".equals(alarm.evaluateLowSampleCountPercentile())) {
            return false;
        }
        double p = Double.parseDouble(alarm.extendedStatistic().substring(1)) / 100;
        if (p == 0 || p == 1) {
            return false; // the minimum and the maximum are exact on any number of samples
        }
        double needed = p >= 0.5 ? 10 / (1 - p) : 10 / p;
        return existing.stream().anyMatch(s -> s.point().sampleCount() < needed);
    }

    /**
     * "Threshold Crossed: ..." for {@code state} on the evaluated datapoints, listing the real ones that breach (ALARM)
     * or do not (OK), newest first. {@code filled}: missing datapoints counted as breaching (positive) or not (negative).
     */
    private static Outcome thresholdCrossed(MetricAlarm alarm, String state, List<Slot> evaluated, int filled, long queryTime) {
        boolean alarming = state.equals(ALARM);
        List<Slot> listed = evaluated.stream().filter(s -> s.point() != null && breaches(alarm, s) == alarming)
                .sorted(Comparator.comparingLong(Slot::start).reversed()).toList();
        long count = listed.size() + (alarming ? Math.max(filled, 0) : Math.max(-filled, 0));
        String values = listed.stream().map(s -> s.point().value() + " (" + REASON_TIME.format(Instant.ofEpochMilli(s.start())) + ")")
                .collect(Collectors.joining(", "));
        String comparison = (alarming ? "" : "not ") + words(alarm.comparisonOperator());
        String verb = count == 1 ? "was" : "were";
        String reason;
        if (alarm.datapointsToAlarm() == null) {
            reason = "Threshold Crossed: " + count + " datapoint" + (count == 1 ? "" : "s") + " [" + values + "] " + verb + " "
                    + comparison + " the threshold (" + alarm.threshold() + ").";
        } else {
            int minimum = alarming ? alarm.datapointsNeeded() : alarm.evaluationPeriods() - alarm.datapointsNeeded() + 1;
            reason = "Threshold Crossed: " + count + " out of the last " + alarm.evaluationPeriods() + " datapoints [" + values
                    + "] " + verb + " " + comparison + " the threshold (" + alarm.threshold() + ") (minimum " + minimum
                    + " datapoint" + (minimum == 1 ? "" : "s") + " for " + alarm.state().value() + " -> " + state + " transition).";
        }
        return new Outcome(state, reason, reasonData(alarm, evaluated, queryTime));
    }

    private static String noDatapoints(int n, String treatedAs) {
        return "Threshold Crossed: no datapoints were received for " + n + " period" + (n == 1 ? "" : "s") + " and " + n
                + " missing datapoint" + (n == 1 ? " was" : "s were") + " treated as [" + treatedAs + "].";
    }

    private static String unknown(int count) {
        return "Insufficient Data: " + count + " datapoint" + (count == 1 ? " was" : "s were") + " unknown.";
    }

    private static String words(String comparisonOperator) {
        return switch (comparisonOperator) {
            case "GreaterThanOrEqualToThreshold" -> "greater than or equal to";
            case "GreaterThanThreshold" -> "greater than";
            case "LessThanThreshold" -> "less than";
            default -> "less than or equal to";
        };
    }

    /**
     * StateReasonData as CloudWatch writes it: the query time, the oldest real datapoint evaluated (startDate), the
     * metric's unit, statistic and period, the real values evaluated (oldest first), the threshold, and every evaluated
     * datapoint, newest first, with only its timestamp where it was missing.
     */
    private static ObjectNode reasonData(MetricAlarm alarm, List<Slot> evaluated, long queryTime) {
        ObjectNode data = JsonRpc.JSON.createObjectNode().put("version", "1.0").put("queryDate", time(queryTime));
        List<Slot> real = evaluated.stream().filter(s -> s.point() != null).sorted(Comparator.comparingLong(Slot::start)).toList();
        if (!real.isEmpty()) {
            data.put("startDate", time(real.get(0).start()));
        }
        if (alarm.unit() != null) {
            data.put("unit", alarm.unit());
        }
        data.put("statistic", alarm.stat()).put("period", alarm.period());
        ArrayNode recent = data.putArray("recentDatapoints");
        real.forEach(s -> recent.add(s.point().value()));
        data.put("threshold", alarm.threshold());
        ArrayNode points = data.putArray("evaluatedDatapoints");
        evaluated.stream().sorted(Comparator.comparingLong(Slot::start).reversed()).forEach(s -> {
            ObjectNode point = points.addObject().put("timestamp", time(s.start()));
            if (s.point() != null) {
                point.put("sampleCount", s.point().sampleCount()).put("value", s.point().value());
            }
        });
        return data;
    }

    /** A time as CloudWatch writes it in StateReasonData and HistoryData: {@code 2024-09-19T06:01:18.043+0000}. */
    static String time(long epochMillis) {
        return DATA_TIME.format(Instant.ofEpochMilli(epochMillis));
    }
}
