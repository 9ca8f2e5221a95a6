package dev.stratus.cloud.alarms;

import static dev.stratus.cloud.alarms.MetricAlarm.ALARM;
import static dev.stratus.cloud.alarms.MetricAlarm.INSUFFICIENT_DATA;
import static dev.stratus.cloud.alarms.MetricAlarm.OK;
import static dev.stratus.cloud.server.Parameters.combination;
import static dev.stratus.cloud.server.Parameters.invalid;
import static dev.stratus.cloud.server.Parameters.missing;
import static dev.stratus.cloud.server.Parameters.validation;
import static dev.stratus.cloud.server.QueryRpc.element;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.function.Predicate;
import java.util.logging.Logger;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.alarms.AlarmStore.HistoryItem;
import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.server.Parameters;
import dev.stratus.cloud.server.QueryRpc;
import dev.stratus.cloud.state.Database;

/**
 * CloudWatch metric alarms on single metrics: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
 * DescribeAlarmHistory, DeleteAlarms, SetAlarmState, EnableAlarmActions and DisableAlarmActions, served by
 * CloudWatchService, and the evaluator that moves alarms between OK, ALARM and INSUFFICIENT_DATA. There is no SNS,
 * Auto Scaling or EC2 here: an alarm's actions are kept and returned, and a transition logs the actions it would run.
 */
public final class Alarms implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Alarms.class.getName());

    /** PutMetricAlarm's comparisons; the anomaly detection ones need a band this local CloudWatch does not compute. */
    private static final List<String> COMPARISONS = List.of("GreaterThanOrEqualToThreshold", "GreaterThanThreshold",
            "LessThanThreshold", "LessThanOrEqualToThreshold");
    private static final List<String> ANOMALY_COMPARISONS = List.of("LessThanLowerOrGreaterThanUpperThreshold",
            "LessThanLowerThreshold", "GreaterThanUpperThreshold");
    private static final List<String> STATISTICS = List.of("SampleCount", "Average", "Sum", "Minimum", "Maximum");
    private static final List<String> TREAT_MISSING_DATA = List.of("breaching", "notBreaching", "ignore", "missing");
    private static final List<String> STATES = List.of(INSUFFICIENT_DATA, ALARM, OK);
    private static final List<String> HISTORY_ITEM_TYPES = List.of("ConfigurationUpdate", "StateUpdate", "Action",
            "AlarmContributorStateUpdate", "AlarmContributorAction");
    private static final Pattern ARN = Pattern.compile("arn:[^:]+:[^:]+:[^:]*:[^:]*:.+");
    private static final int MAX_ACTIONS = 5;
    private static final int MAX_NAMES = 100;

    private final AlarmStore store;
    private final String region;
    private final AlarmEvaluator evaluator;
    /** Held from reading an alarm to writing it, so that requests and the evaluator never undo each other's changes. */
    private final Object lock = new Object();

    /**
     * @param evaluationInterval how often the evaluator looks for alarms whose period ended (CloudWatch's high-resolution
     *                           alarms are evaluated every 10 seconds); tests make it short
     */
    public Alarms(Database db, MetricsService metrics, String region, Duration evaluationInterval) {
        this.store = new AlarmStore(db);
        this.region = region;
        this.evaluator = new AlarmEvaluator(this, metrics, evaluationInterval);
    }

    /** Starts evaluating alarms, those of an earlier server included. */
    public void start() {
        evaluator.start();
    }

    /** Stops evaluating; the next server goes on from the state in the database. */
    @Override
    public void close() {
        evaluator.close();
    }

    /** The awsQuery operations, for CloudWatchService. */
    public Map<String, QueryRpc.Operation> operations() {
        Map<String, QueryRpc.Operation> operations = new LinkedHashMap<>();
        operations.put("PutMetricAlarm", form -> putMetricAlarm(Parameters.of(form)));
        operations.put("DescribeAlarms", form -> describeAlarms(Parameters.of(form)));
        operations.put("DescribeAlarmsForMetric", form -> describeAlarmsForMetric(Parameters.of(form)));
        operations.put("DescribeAlarmHistory", form -> describeAlarmHistory(Parameters.of(form)));
        operations.put("DeleteAlarms", form -> deleteAlarms(Parameters.of(form)));
        operations.put("SetAlarmState", form -> setAlarmState(Parameters.of(form)));
        operations.put("EnableAlarmActions", form -> setActionsEnabled(Parameters.of(form), true));
        operations.put("DisableAlarmActions", form -> setActionsEnabled(Parameters.of(form), false));
        return operations;
    }

    AlarmEvaluator evaluator() {
        return evaluator;
    }

    List<MetricAlarm> all() {
        return store.all();
    }

    void forgetHistory(long before) {
        store.forget(before);
    }

    /** The evaluator's transition: made only if the alarm is still as it was evaluated (else the next evaluation decides). */
    void transition(MetricAlarm evaluated, String state, String reason, String reasonData, long now) {
        synchronized (lock) {
            if (store.get(evaluated.name()).filter(evaluated::equals).isPresent()) {
                changeState(evaluated, state, reason, reasonData, now);
            }
        }
    }

    /** Moves the alarm to {@code state} with a StateUpdate history item, and logs the actions it would run. */
    private void changeState(MetricAlarm alarm, String state, String reason, String reasonData, long now) {
        MetricAlarm.State old = alarm.state();
        ObjectNode data = JsonRpc.JSON.createObjectNode().put("version", "1.0");
        data.set("oldState", stateJson(old));
        MetricAlarm.State next = new MetricAlarm.State(state, reason, reasonData, now, now);
        data.set("newState", stateJson(next));
        store.save(alarm.withState(next), List.of(new HistoryItem(alarm.name(), now, "StateUpdate",
                "Alarm updated from " + old.value() + " to " + state, data.toString())));
        if (alarm.actionsEnabled()) {
            alarm.actions(state).forEach(action -> LOG.info("alarm " + alarm.name() + " went from " + old.value() + " to " + state
                    + ": action " + action + " is recorded, not run (the local cloud has no SNS, Auto Scaling or EC2)"));
        }
    }

    private static ObjectNode stateJson(MetricAlarm.State state) {
        ObjectNode json = JsonRpc.JSON.createObjectNode().put("stateValue", state.value()).put("stateReason", state.reason());
        if (state.reasonData() != null) {
            json.set("stateReasonData", parseJson(state.reasonData()));
        }
        return json;
    }

    // --- PutMetricAlarm ---

    private String putMetricAlarm(Parameters p) {
        for (String unsupported : List.of("Metrics", "ThresholdMetricId")) {
            if (p.has(unsupported)) {
                throw validation("The local CloudWatch alarms on single metrics only, without metric math or anomaly detection ("
                        + unsupported + "): give MetricName, Namespace, Statistic or ExtendedStatistic, Period and Threshold.");
            }
        }
        if (p.has("Tags")) {
            throw validation("The local CloudWatch does not keep alarm tags: leave out Tags.");
        }
        String name = length(p.required("AlarmName"), "alarmName", 255);
        String description = p.text("AlarmDescription") == null ? null : length(p.text("AlarmDescription"), "alarmDescription", 1024);
        String namespace = length(p.required("Namespace"), "namespace", 255);
        String metricName = length(p.required("MetricName"), "metricName", 255);
        SortedMap<String, String> dimensions = p.dimensions();
        String statistic = p.text("Statistic");
        String extendedStatistic = p.text("ExtendedStatistic");
        if ((statistic == null) == (extendedStatistic == null)) {
            throw combination("Give exactly one of Statistic (SampleCount, Average, Sum, Minimum or Maximum) and"
                    + " ExtendedStatistic (a percentile such as p99).");
        }
        if (statistic != null && !STATISTICS.contains(statistic)) {
            throw enumError(statistic, "statistic", STATISTICS);
        }
        if (extendedStatistic != null && !MetricsService.isPercentile(extendedStatistic)) {
            throw invalid("The value " + extendedStatistic + " for parameter ExtendedStatistic is not supported: the local"
                    + " CloudWatch alarms on percentiles from p0 to p100, such as p99 or p99.9.");
        }
        int period = p.integer("Period");
        boolean validPeriod = period >= 60 ? period % 60 == 0 : period == 10 || period == 20 || period == 30;
        if (!validPeriod) {
            throw validation("Period must be 10, 20, 30 or a multiple of 60, not " + period
                    + " (10, 20 and 30 are for high-resolution metrics).");
        }
        String unit = p.text("Unit") == null ? null : MetricsService.unit(p.text("Unit"), "Unit");
        int evaluationPeriods = atLeastOne(p.integer("EvaluationPeriods"), "evaluationPeriods");
        Integer datapointsToAlarm = p.has("DatapointsToAlarm") ? atLeastOne(p.integer("DatapointsToAlarm"), "datapointsToAlarm") : null;
        if (datapointsToAlarm != null && datapointsToAlarm > evaluationPeriods) {
            throw validation("DatapointsToAlarm (" + datapointsToAlarm + ") must be less than or equal to EvaluationPeriods ("
                    + evaluationPeriods + "): the alarm goes to ALARM when that many of the last EvaluationPeriods datapoints breach.");
        }
        long lookBack = (long) period * evaluationPeriods;
        if (period < 3600 && lookBack > 86_400) {
            throw validation("Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400),"
                    + " not " + lookBack + " seconds.");
        }
        if (lookBack > 604_800) {
            throw validation("Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800),"
                    + " not " + lookBack + " seconds.");
        }
        double threshold = p.number("Threshold");
        String comparison = p.required("ComparisonOperator");
        if (ANOMALY_COMPARISONS.contains(comparison)) {
            throw validation("The ComparisonOperator " + comparison + " is for anomaly detection alarms, which the local"
                    + " CloudWatch does not have: use " + String.join(", ", COMPARISONS) + ".");
        }
        if (!COMPARISONS.contains(comparison)) {
            throw enumError(comparison, "comparisonOperator", COMPARISONS);
        }
        String treatMissingData = p.text("TreatMissingData");
        if (treatMissingData != null && !TREAT_MISSING_DATA.contains(treatMissingData)) {
            throw validation("The value " + treatMissingData + " is not supported for TreatMissingData parameter. Supported"
                    + " values are [breaching, notBreaching, ignore, missing].");
        }
        String lowSampleCount = p.text("EvaluateLowSampleCountPercentile");
        if (lowSampleCount != null && !lowSampleCount.equals("evaluate") && !lowSampleCount.equals("ignore")) {
            throw validation("Option " + lowSampleCount + " is not supported. Supported options for parameter"
                    + " EvaluateLowSampleCountPercentile are evaluate and ignore.");
        }
        boolean actionsEnabled = bool(p, "ActionsEnabled");
        List<String> okActions = actions(p, "OKActions");
        List<String> alarmActions = actions(p, "AlarmActions");
        List<String> insufficientDataActions = actions(p, "InsufficientDataActions");

        long now = Instant.now().toEpochMilli();
        synchronized (lock) {
            Optional<MetricAlarm> existing = store.get(name);
            // An update leaves the state as it is; a new alarm starts in INSUFFICIENT_DATA until its first evaluation.
            MetricAlarm.State state = existing.map(MetricAlarm::state)
                    .orElse(new MetricAlarm.State(INSUFFICIENT_DATA, "Unchecked: Initial alarm creation", null, now, now));
            MetricAlarm alarm = new MetricAlarm(name, "arn:aws:cloudwatch:" + region + ":" + CloudHome.ACCOUNT_ID + ":alarm:" + name,
                    description, now, actionsEnabled, okActions, alarmActions, insufficientDataActions, namespace, metricName,
                    dimensions, statistic, extendedStatistic, period, unit, evaluationPeriods, datapointsToAlarm, threshold,
                    comparison, treatMissingData, lowSampleCount, state);
            ObjectNode data = JsonRpc.JSON.createObjectNode().put("version", "1.0");
            if (existing.isPresent()) {
                data.put("type", "Update");
                data.set("updatedAlarm", configuration(alarm));
                data.set("originalUpdatedAlarm", configuration(existing.get()));
            } else {
                data.put("type", "Create");
                data.set("createdAlarm", configuration(alarm));
            }
            store.save(alarm, List.of(new HistoryItem(name, now, "ConfigurationUpdate",
                    "Alarm \"" + name + "\" " + (existing.isPresent() ? "updated" : "created"), data.toString())));
        }
        return "";
    }

    private static String length(String value, String member, int max) {
        if (value.length() > max) {
            throw validation("1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy"
                    + " constraint: Member must have length less than or equal to " + max);
        }
        return value;
    }

    private static int atLeastOne(int value, String member) {
        if (value < 1) {
            throw validation("1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy"
                    + " constraint: Member must have value greater than or equal to 1");
        }
        return value;
    }

    private static AwsException enumError(String value, String member, Collection<String> allowed) {
        return validation("1 validation error detected: Value '" + value + "' at '" + member + "' failed to satisfy"
                + " constraint: Member must satisfy enum value set: [" + String.join(", ", allowed) + "]");
    }

    /** An optional boolean, true when not given. */
    private static boolean bool(Parameters p, String name) {
        String text = p.text(name);
        if (text == null || text.equals("true")) {
            return true;
        }
        if (text.equals("false")) {
            return false;
        }
        throw invalid("The value " + text + " for parameter " + name + " is not a boolean: it is true or false.");
    }

    private static List<String> actions(Parameters p, String name) {
        List<String> actions = p.texts(name);
        if (actions.size() > MAX_ACTIONS) {
            throw validation("The collection " + name + " must not have more than " + MAX_ACTIONS + " members, not "
                    + actions.size() + ".");
        }
        for (int i = 0; i < actions.size(); i++) {
            String action = actions.get(i);
            if (action.length() > 1024 || !ARN.matcher(action).matches()) {
                throw validation("Invalid arn syntax: " + action + " (" + name + ".member." + (i + 1) + "): give the ARN of"
                        + " an action, such as arn:aws:sns:" + "us-east-1:" + CloudHome.ACCOUNT_ID + ":my-topic.");
            }
        }
        return actions;
    }

    /** The alarm as CloudWatch writes it in ConfigurationUpdate history data. */
    private static ObjectNode configuration(MetricAlarm alarm) {
        ObjectNode json = JsonRpc.JSON.createObjectNode().put("alarmName", alarm.name());
        if (alarm.description() != null) {
            json.put("alarmDescription", alarm.description());
        }
        json.put("alarmArn", alarm.arn()).put("alarmConfigurationUpdatedTimestamp", Evaluation.time(alarm.configurationUpdated()))
                .put("namespace", alarm.namespace()).put("metricName", alarm.metricName());
        if (alarm.statistic() != null) {
            json.put("statistic", alarm.statistic());
        } else {
            json.put("extendedStatistic", alarm.extendedStatistic());
        }
        json.put("period", alarm.period());
        if (alarm.unit() != null) {
            json.put("unit", alarm.unit());
        }
        ArrayNode dimensions = json.putArray("dimensions");
        alarm.dimensions().forEach((name, value) -> dimensions.addObject().put("value", value).put("name", name));
        json.put("threshold", alarm.threshold()).put("comparisonOperator", alarm.comparisonOperator())
                .put("evaluationPeriods", alarm.evaluationPeriods());
        if (alarm.datapointsToAlarm() != null) {
            json.put("datapointsToAlarm", alarm.datapointsToAlarm());
        }
        if (alarm.treatMissingData() != null) {
            json.put("treatMissingData", alarm.treatMissingData());
        }
        if (alarm.evaluateLowSampleCountPercentile() != null) {
            json.put("evaluateLowSampleCountPercentile", alarm.evaluateLowSampleCountPercentile());
        }
        json.put("stateValue", alarm.state().value()).put("stateUpdatedTimestamp", Evaluation.time(alarm.state().updated()))
                .put("actionsEnabled", alarm.actionsEnabled());
        alarm.alarmActions().forEach(json.putArray("alarmActions")::add);
        alarm.insufficientDataActions().forEach(json.putArray("insufficientDataActions")::add);
        alarm.okActions().forEach(json.putArray("okactions")::add); // sic: CloudWatch's own spelling
        return json;
    }

    // --- DescribeAlarms, DescribeAlarmsForMetric ---

    private String describeAlarms(Parameters p) {
        List<String> names = names(p, false);
        String prefix = p.text("AlarmNamePrefix");
        if (!names.isEmpty() && prefix != null) {
            throw combination("AlarmNames and AlarmNamePrefix cannot be used together: give one of them.");
        }
        for (String composite : List.of("ChildrenOfAlarmName", "ParentsOfAlarmName")) {
            if (p.has(composite)) {
                throw validation("The local CloudWatch has no composite alarms (" + composite + "): leave out " + composite + ".");
            }
        }
        List<String> types = p.texts("AlarmTypes");
        for (String type : types) {
            if (!type.equals("MetricAlarm") && !type.equals("CompositeAlarm")) {
                throw enumError(type, "alarmTypes", List.of("CompositeAlarm", "MetricAlarm"));
            }
        }
        String state = p.text("StateValue");
        if (state != null && !STATES.contains(state)) {
            throw enumError(state, "stateValue", STATES);
        }
        String actionPrefix = p.text("ActionPrefix");
        Predicate<MetricAlarm> matches = alarm -> (names.isEmpty() || names.contains(alarm.name()))
                && (prefix == null || alarm.name().startsWith(prefix))
                && (state == null || alarm.state().value().equals(state))
                && (actionPrefix == null || List.of(alarm.okActions(), alarm.alarmActions(), alarm.insufficientDataActions())
                        .stream().flatMap(List::stream).anyMatch(a -> a.startsWith(actionPrefix)));
        List<MetricAlarm> found = types.isEmpty() || types.contains("MetricAlarm")
                ? store.all().stream().filter(matches).toList() : List.of();
        int maxRecords = maxRecords(p, 50);
        int start = start(p.text("NextToken"), "DescribeAlarms");
        StringBuilder xml = new StringBuilder("<MetricAlarms>");
        found.subList(Math.min(start, found.size()), Math.min(start + maxRecords, found.size()))
                .forEach(alarm -> xml.append("<member>").append(alarmXml(alarm)).append("</member>"));
        xml.append("</MetricAlarms><CompositeAlarms/>");
        if (start + maxRecords < found.size()) {
            xml.append(element("NextToken", Integer.toString(start + maxRecords)));
        }
        return xml.toString();
    }

    private String describeAlarmsForMetric(Parameters p) {
        String namespace = p.required("Namespace");
        String metricName = p.required("MetricName");
        SortedMap<String, String> dimensions = p.dimensions();
        String statistic = p.text("Statistic");
        String extendedStatistic = p.text("ExtendedStatistic");
        Integer period = p.has("Period") ? p.integer("Period") : null;
        String unit = p.text("Unit");
        StringBuilder xml = new StringBuilder("<MetricAlarms>");
        store.all().stream()
                .filter(a -> a.namespace().equals(namespace) && a.metricName().equals(metricName) && a.dimensions().equals(dimensions))
                .filter(a -> (statistic == null || statistic.equals(a.statistic()))
                        && (extendedStatistic == null || extendedStatistic.equals(a.extendedStatistic()))
                        && (period == null || period == a.period()) && (unit == null || unit.equals(a.unit())))
                .forEach(alarm -> xml.append("<member>").append(alarmXml(alarm)).append("</member>"));
        return xml.append("</MetricAlarms>").toString();
    }

    private static String alarmXml(MetricAlarm alarm) {
        StringBuilder xml = new StringBuilder(element("AlarmName", alarm.name())).append(element("AlarmArn", alarm.arn()));
        optional(xml, "AlarmDescription", alarm.description());
        xml.append(element("AlarmConfigurationUpdatedTimestamp", time(alarm.configurationUpdated())))
                .append(element("ActionsEnabled", Boolean.toString(alarm.actionsEnabled())));
        members(xml, "OKActions", alarm.okActions());
        members(xml, "AlarmActions", alarm.alarmActions());
        members(xml, "InsufficientDataActions", alarm.insufficientDataActions());
        MetricAlarm.State state = alarm.state();
        xml.append(element("StateValue", state.value())).append(element("StateReason", state.reason()));
        optional(xml, "StateReasonData", state.reasonData());
        xml.append(element("StateUpdatedTimestamp", time(state.updated())))
                .append(element("StateTransitionedTimestamp", time(state.transitioned())))
                .append(element("MetricName", alarm.metricName())).append(element("Namespace", alarm.namespace()));
        optional(xml, "Statistic", alarm.statistic());
        optional(xml, "ExtendedStatistic", alarm.extendedStatistic());
        xml.append("<Dimensions>");
        alarm.dimensions().forEach((name, value) ->
                xml.append("<member>").append(element("Name", name)).append(element("Value", value)).append("</member>"));
        xml.append("</Dimensions>").append(element("Period", Integer.toString(alarm.period())));
        optional(xml, "Unit", alarm.unit());
        xml.append(element("EvaluationPeriods", Integer.toString(alarm.evaluationPeriods())));
        optional(xml, "DatapointsToAlarm", alarm.datapointsToAlarm() == null ? null : alarm.datapointsToAlarm().toString());
        xml.append(element("Threshold", Double.toString(alarm.threshold())))
                .append(element("ComparisonOperator", alarm.comparisonOperator()));
        optional(xml, "TreatMissingData", alarm.treatMissingData());
        optional(xml, "EvaluateLowSampleCountPercentile", alarm.evaluateLowSampleCountPercentile());
        return xml.toString();
    }

    private static void optional(StringBuilder xml, String name, String text) {
        if (text != null) {
            xml.append(element(name, text));
        }
    }

    private static void members(StringBuilder xml, String name, List<String> values) {
        xml.append('<').append(name).append('>');
        values.forEach(value -> xml.append(element("member", value)));
        xml.append("</").append(name).append('>');
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }

    // --- DescribeAlarmHistory ---

    private String describeAlarmHistory(Parameters p) {
        String name = p.text("AlarmName");
        String type = p.text("HistoryItemType");
        if (type != null && !HISTORY_ITEM_TYPES.contains(type)) {
            throw enumError(type, "historyItemType", HISTORY_ITEM_TYPES);
        }
        List<String> types = p.texts("AlarmTypes");
        String scanBy = p.text("ScanBy") == null ? "TimestampDescending" : p.text("ScanBy");
        if (!scanBy.equals("TimestampDescending") && !scanBy.equals("TimestampAscending")) {
            throw enumError(scanBy, "scanBy", List.of("TimestampDescending", "TimestampAscending"));
        }
        long from = p.has("StartDate") ? p.time("StartDate").toEpochMilli() : Long.MIN_VALUE;
        long to = p.has("EndDate") ? p.time("EndDate").toEpochMilli() : Long.MAX_VALUE;
        List<HistoryItem> items = types.isEmpty() || types.contains("MetricAlarm")
                ? new ArrayList<>(store.history(name, type, from, to)) : new ArrayList<>();
        if (scanBy.equals("TimestampDescending")) {
            Collections.reverse(items);
        }
        int maxRecords = maxRecords(p, 100);
        int start = start(p.text("NextToken"), "DescribeAlarmHistory");
        StringBuilder xml = new StringBuilder("<AlarmHistoryItems>");
        for (HistoryItem item : items.subList(Math.min(start, items.size()), Math.min(start + maxRecords, items.size()))) {
            xml.append("<member>").append(element("AlarmName", item.alarmName())).append(element("AlarmType", "MetricAlarm"))
                    .append(element("Timestamp", time(item.time()))).append(element("HistoryItemType", item.type()))
                    .append(element("HistorySummary", item.summary())).append(element("HistoryData", item.data()))
                    .append("</member>");
        }
        xml.append("</AlarmHistoryItems>");
        if (start + maxRecords < items.size()) {
            xml.append(element("NextToken", Integer.toString(start + maxRecords)));
        }
        return xml.toString();
    }

    private static int maxRecords(Parameters p, int fallback) {
        int maxRecords = p.has("MaxRecords") ? p.integer("MaxRecords") : fallback;
        if (maxRecords < 1 || maxRecords > 100) {
            throw validation("1 validation error detected: Value '" + maxRecords + "' at 'maxRecords' failed to satisfy"
                    + " constraint: Member must have value between 1 and 100");
        }
        return maxRecords;
    }

    private static int start(String nextToken, String operation) {
        if (nextToken == null) {
            return 0;
        }
        try {
            return Integer.parseUnsignedInt(nextToken);
        } catch (NumberFormatException e) {
            throw new AwsException(400, "InvalidNextToken", "The NextToken " + nextToken + " was not given by " + operation
                    + ": pass the NextToken of the previous answer.");
        }
    }

    // --- DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions ---

    /** AlarmNames: 1 to 100 of them when {@code required}, else 0 to 100. */
    private static List<String> names(Parameters p, boolean required) {
        List<String> names = p.texts("AlarmNames");
        if (required && names.isEmpty()) {
            throw missing("AlarmNames");
        }
        if (names.size() > MAX_NAMES) {
            throw validation("The collection AlarmNames must not have more than " + MAX_NAMES + " members, not " + names.size() + ".");
        }
        return names;
    }

    /** Deletes the named alarms; names of alarms that do not exist are passed over, as CloudWatch does. */
    private String deleteAlarms(Parameters p) {
        List<String> names = names(p, true);
        long now = Instant.now().toEpochMilli();
        synchronized (lock) {
            for (String name : names) {
                store.get(name).ifPresent(alarm -> {
                    ObjectNode data = JsonRpc.JSON.createObjectNode().put("version", "1.0").put("type", "Delete");
                    data.set("deletedAlarm", configuration(alarm));
                    store.delete(name, new HistoryItem(name, now, "ConfigurationUpdate", "Alarm \"" + name + "\" deleted",
                            data.toString()));
                });
            }
        }
        return "";
    }

    /** Sets the state until the next evaluation, with the caller's reason, as CloudWatch does to test actions. */
    private String setAlarmState(Parameters p) {
        String name = p.required("AlarmName");
        String state = p.required("StateValue");
        if (!STATES.contains(state)) {
            throw enumError(state, "stateValue", STATES);
        }
        String reason = length(p.required("StateReason"), "stateReason", 1023);
        String reasonData = p.text("StateReasonData");
        if (reasonData != null) {
            length(reasonData, "stateReasonData", 4000);
            try {
                JsonRpc.JSON.readTree(reasonData);
            } catch (JsonProcessingException e) {
                throw new AwsException(400, "InvalidFormat", "StateReasonData is not valid JSON (" + e.getOriginalMessage()
                        + "): give a JSON object, such as {\"reason\": \"testing\"}.");
            }
        }
        synchronized (lock) {
            MetricAlarm alarm = store.get(name).orElseThrow(() -> new AwsException(404, "ResourceNotFound",
                    "The alarm " + name + " does not exist: create it with PutMetricAlarm, or check the name with DescribeAlarms."));
            if (!alarm.state().value().equals(state)) {
                changeState(alarm, state, reason, reasonData, Instant.now().toEpochMilli());
            }
        }
        return "";
    }

    /** Turns actions on or off; names of alarms that do not exist are passed over, as CloudWatch does. */
    private String setActionsEnabled(Parameters p, boolean enabled) {
        List<String> names = names(p, true);
        synchronized (lock) {
            for (String name : names) {
                store.get(name).filter(alarm -> alarm.actionsEnabled() != enabled)
                        .ifPresent(alarm -> store.save(alarm.withActionsEnabled(enabled), List.of()));
            }
        }
        return "";
    }

    /** StateReasonData, which SetAlarmState and the evaluator only ever store as valid JSON. */
    private static JsonNode parseJson(String json) {
        try {
            return JsonRpc.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
