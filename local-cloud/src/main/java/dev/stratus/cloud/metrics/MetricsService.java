package dev.stratus.cloud.metrics;

import static dev.stratus.cloud.server.Parameters.combination;
import static dev.stratus.cloud.server.Parameters.invalid;
import static dev.stratus.cloud.server.Parameters.missing;
import static dev.stratus.cloud.server.Parameters.validation;
import static dev.stratus.cloud.server.QueryRpc.element;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.stratus.cloud.metrics.MetricStore.Datum;
import dev.stratus.cloud.metrics.MetricStore.DimensionFilter;
import dev.stratus.cloud.metrics.MetricStore.Metric;
import dev.stratus.cloud.metrics.MetricStore.Page;
import dev.stratus.cloud.metrics.MetricStore.Series;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.Parameters;
import dev.stratus.cloud.server.QueryRpc;
import dev.stratus.cloud.state.Database;

/**
 * CloudWatch metrics (PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics) in any namespace, served by
 * CloudWatchService, and {@link #put} for local services that record metrics without HTTP. Metric math is not here.
 */
public final class MetricsService {

    private static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second",
            "None");

    /** PutMetricData takes time stamps from two weeks ago to two hours ahead. */
    private static final Duration OLDEST = Duration.ofDays(14);
    private static final Duration NEWEST = Duration.ofHours(2);

    /** GetMetricStatistics answers at most 1,440 periods; GetMetricData pages instead. */
    private static final long MAX_PERIODS = 1440;
    private static final int DEFAULT_MAX_DATAPOINTS = 100_800;

    /** A GetMetricData query Id: a lower-case letter, then letters, digits and underscores. */
    private static final Pattern QUERY_ID = Pattern.compile("[a-z][A-Za-z0-9_]*");

    private final MetricStore store;

    public MetricsService(Database db) {
        store = new MetricStore(db);
    }

    /** The awsQuery operations, for CloudWatchService. */
    public Map<String, QueryRpc.Operation> operations() {
        return Map.of(
                "PutMetricData", form -> putMetricData(Parameters.of(form)),
                "GetMetricStatistics", form -> getMetricStatistics(Parameters.of(form)),
                "GetMetricData", form -> getMetricData(Parameters.of(form)),
                "ListMetrics", form -> listMetrics(Parameters.of(form)));
    }

    /**
     * Records one value, as PutMetricData with a single Value does, at standard (one-minute)
     * resolution: for local services that publish their own metrics, like SageMaker's. Unlike
     * PutMetricData it takes any time stamp, so that old log lines can be replayed.
     *
     * @param dimensions the metric's dimensions, empty for none
     * @param unit a CloudWatch unit such as "Count" or "Milliseconds", or null for "None"
     * @throws AwsException InvalidParameterValue for a value or unit that CloudWatch refuses
     */
    public void put(String namespace, String metricName, Map<String, String> dimensions, Instant timestamp, double value,
                    String unit) {
        Metric metric = new Metric(namespace, metricName, new TreeMap<>(dimensions));
        Datum datum = Datum.value(truncate(timestamp, 60), unit(unit == null ? "None" : unit, "Unit"),
                Parameters.storable("Value", value), 1);
        store.write(List.of(new Series(metric, List.of(datum))));
    }

    /** Values of one metric at one time stamp, each with how often it was seen, as PutMetricData's Values and Counts. */
    public record ValueCounts(String namespace, String metricName, Map<String, String> dimensions, Instant timestamp,
            Map<Double, Double> counts, String unit) {
    }

    /**
     * Records values in one write, at {@code resolution} seconds: 60 (standard) or 1 (high resolution), as
     * PutMetricData's StorageResolution; as {@link #put} for many values at once.
     */
    public void putValues(List<ValueCounts> metrics, int resolution) {
        List<Series> series = new ArrayList<>(metrics.size());
        for (ValueCounts values : metrics) {
            Metric metric = new Metric(values.namespace(), values.metricName(), new TreeMap<>(values.dimensions()));
            long time = truncate(values.timestamp(), resolution);
            String unit = unit(values.unit() == null ? "None" : values.unit(), "Unit");
            List<Datum> data = new ArrayList<>(values.counts().size());
            values.counts().forEach((value, count) -> data.add(Datum.value(time, unit, value, count)));
            series.add(new Series(metric, data));
        }
        store.write(series);
    }

    private String putMetricData(Parameters p) {
        String namespace = p.required("Namespace");
        List<Parameters> entries = p.members("MetricData");
        if (entries.isEmpty()) {
            throw missing("MetricData");
        }
        if (entries.size() > 1000) {
            throw invalid("The collection MetricData must not have more than 1000 members.");
        }
        Instant now = Instant.now();
        List<Series> series = new ArrayList<>();
        for (Parameters entry : entries) {
            series.add(series(namespace, entry, now));
        }
        store.write(series);
        return "";
    }

    /** One MetricData entry: a Value, Values with optional Counts, or StatisticValues. */
    private static Series series(String namespace, Parameters entry, Instant now) {
        Metric metric = new Metric(namespace, entry.required("MetricName"), entry.dimensions());
        long time = time(entry, now);
        String unit = entry.text("Unit") == null ? "None" : unit(entry.text("Unit"), entry.path("Unit"));
        List<String> given = Stream.of("Value", "Values", "StatisticValues").filter(entry::has).toList();
        if (given.isEmpty()) {
            throw new AwsException(400, "MissingParameter", "One of the parameters " + entry.path("Value") + ", "
                    + entry.path("Values") + " or " + entry.path("StatisticValues") + " is required.");
        }
        if (given.size() > 1) {
            throw combination("The parameters " + entry.path(given.get(0)) + " and " + entry.path(given.get(1))
                    + " are mutually exclusive and you have specified both.");
        }
        if (entry.has("Counts") && !given.get(0).equals("Values")) {
            throw combination("The parameter " + entry.path("Counts") + " goes with " + entry.path("Values") + " only.");
        }
        List<Datum> data = switch (given.get(0)) {
            case "Value" -> List.of(Datum.value(time, unit, entry.number("Value"), 1));
            case "Values" -> values(entry, time, unit);
            default -> List.of(statisticSet(entry.structure("StatisticValues"), time, unit));
        };
        return new Series(metric, data);
    }

    /** The entry's time stamp (default now), stored at its StorageResolution: the second, or the minute by default. */
    private static long time(Parameters entry, Instant now) {
        Instant time = entry.has("Timestamp") ? entry.time("Timestamp") : now;
        if (time.isBefore(now.minus(OLDEST)) || time.isAfter(now.plus(NEWEST))) {
            throw invalid("The parameter " + entry.path("Timestamp") + " must specify a time no more than two weeks"
                    + " in the past and no more than two hours in the future, not " + time + ".");
        }
        String resolution = entry.text("StorageResolution");
        if (resolution != null && !resolution.equals("1") && !resolution.equals("60")) {
            throw invalid("The value " + resolution + " for parameter " + entry.path("StorageResolution")
                    + " is invalid: it is 1 (high resolution) or 60 (standard).");
        }
        return truncate(time, "1".equals(resolution) ? 1 : 60);
    }

    private static long truncate(Instant time, int seconds) {
        return time.toEpochMilli() - Math.floorMod(time.toEpochMilli(), seconds * 1000L);
    }

    private static List<Datum> values(Parameters entry, long time, String unit) {
        List<String> values = entry.texts("Values");
        List<String> counts = entry.texts("Counts");
        if (values.isEmpty() || values.size() > 150) {
            throw invalid("The collection " + entry.path("Values") + " must have 1 to 150 members, not " + values.size() + ".");
        }
        if (entry.has("Counts") && counts.size() != values.size()) {
            throw invalid("The parameters " + entry.path("Values") + " and " + entry.path("Counts")
                    + " must be of the same size.");
        }
        List<Datum> data = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            String member = ".member." + (i + 1);
            double value = Parameters.number(entry.path("Values" + member), values.get(i));
            double count = counts.isEmpty() ? 1 : Parameters.number(entry.path("Counts" + member), counts.get(i));
            if (count < 0) {
                throw invalid("The value " + counts.get(i) + " for parameter " + entry.path("Counts" + member)
                        + " is invalid: a count is not negative.");
            }
            if (count > 0) { // a value counted zero times was not seen, and must not widen Minimum or Maximum
                data.add(Datum.value(time, unit, value, count));
            }
        }
        return data;
    }

    private static Datum statisticSet(Parameters set, long time, String unit) {
        double sampleCount = set.number("SampleCount");
        if (sampleCount <= 0) {
            throw invalid("The value " + sampleCount + " for parameter " + set.path("SampleCount") + " is invalid: it must be positive.");
        }
        return Datum.statisticSet(time, unit, sampleCount, set.number("Sum"), set.number("Minimum"), set.number("Maximum"));
    }

    /** {@code unit} when it is a CloudWatch unit; else InvalidParameterValue naming the parameter at {@code path}. */
    public static String unit(String unit, String path) {
        if (!UNITS.contains(unit)) {
            throw invalid("The value " + unit + " for parameter " + path + " is not a CloudWatch unit such as Count,"
                    + " Seconds, Milliseconds, Bytes, Percent, Count/Second or None.");
        }
        return unit;
    }

    private String getMetricStatistics(Parameters p) {
        Metric metric = new Metric(p.required("Namespace"), p.required("MetricName"), p.dimensions());
        Window window = window(p, period(p));
        List<String> statistics = p.texts("Statistics");
        List<String> percentiles = p.texts("ExtendedStatistics");
        if (statistics.isEmpty() == percentiles.isEmpty()) {
            throw combination("Must specify either Statistics or ExtendedStatistics, but not both.");
        }
        if (statistics.size() > 5 || percentiles.size() > 10) {
            throw invalid("GetMetricStatistics takes at most 5 Statistics and 10 ExtendedStatistics.");
        }
        for (int i = 0; i < statistics.size(); i++) {
            if (!Aggregate.STATISTICS.contains(statistics.get(i))) {
                throw invalid("The parameter Statistics.member." + (i + 1)
                        + " must be a value in the set [ SampleCount, Average, Sum, Minimum, Maximum ].");
            }
        }
        for (int i = 0; i < percentiles.size(); i++) {
            if (!Aggregate.isPercentile(percentiles.get(i))) {
                throw invalid("The value " + percentiles.get(i) + " for parameter ExtendedStatistics.member." + (i + 1)
                        + " is not a percentile from p0.0 to p100, such as p99 or p99.9.");
            }
        }
        if (window.periods() > MAX_PERIODS) {
            throw combination("You have requested up to " + window.periods() + " datapoints, which exceeds the limit of"
                    + " 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.");
        }
        String unit = p.text("Unit") == null ? null : unit(p.text("Unit"), "Unit");
        // One datapoint per period and unit: values put with different units are not added up.
        Map<PeriodAndUnit, Aggregate> periods = aggregate(store.read(metric, window.start(), window.end(), unit),
                d -> new PeriodAndUnit(window.periodStart(d.time()), d.unit()));

        StringBuilder xml = new StringBuilder(element("Label", metric.name())).append("<Datapoints>");
        periods.forEach((period, aggregate) -> {
            StringBuilder values = new StringBuilder();
            statistics.forEach(s -> values.append(element(s, number(aggregate.value(s).getAsDouble()))));
            StringBuilder entries = new StringBuilder();
            percentiles.forEach(s -> aggregate.value(s).ifPresent(v ->
                    entries.append("<entry>").append(element("key", s)).append(element("value", number(v))).append("</entry>")));
            if (values.isEmpty() && entries.isEmpty()) {
                return; // only percentiles were asked for, and this period has statistic sets
            }
            xml.append("<member>").append(element("Timestamp", time(period.start()))).append(values);
            if (!entries.isEmpty()) {
                xml.append("<ExtendedStatistics>").append(entries).append("</ExtendedStatistics>");
            }
            xml.append(element("Unit", period.unit())).append("</member>");
        });
        return xml.append("</Datapoints>").toString();
    }

    private record PeriodAndUnit(long start, String unit) {
    }

    private String getMetricData(Parameters p) {
        List<Parameters> queries = p.members("MetricDataQueries");
        if (queries.isEmpty()) {
            throw missing("MetricDataQueries");
        }
        if (queries.size() > 500) {
            throw validation("The collection MetricDataQueries must not have more than 500 members.");
        }
        String scanBy = p.text("ScanBy") == null ? "TimestampDescending" : p.text("ScanBy");
        if (!scanBy.equals("TimestampDescending") && !scanBy.equals("TimestampAscending")) {
            throw validation("The value " + scanBy + " for parameter ScanBy is invalid: it is TimestampDescending or TimestampAscending.");
        }
        int maxDatapoints = p.has("MaxDatapoints") ? p.integer("MaxDatapoints") : DEFAULT_MAX_DATAPOINTS;
        if (maxDatapoints < 1) {
            throw validation("The value " + maxDatapoints + " for parameter MaxDatapoints is invalid: it must be positive.");
        }
        long offset = offset(p.text("NextToken"));

        Set<String> ids = new HashSet<>();
        List<Answer> answers = new ArrayList<>();
        for (Parameters query : queries) {
            Answer answer = answer(p, query, scanBy.equals("TimestampDescending"));
            if (!ids.add(answer.id())) {
                throw validation("The value " + answer.id() + " for parameter " + query.path("Id") + " is used by another query.");
            }
            if (!"false".equals(query.text("ReturnData"))) {
                answers.add(answer);
            }
        }

        // A page holds datapoints offset to offset + maxDatapoints of all answers one after the other.
        StringBuilder xml = new StringBuilder("<MetricDataResults>");
        long first = 0;
        for (Answer answer : answers) {
            int size = answer.points().size();
            int from = (int) Math.max(0, Math.min(size, offset - first));
            int to = (int) Math.max(0, Math.min(size, offset + maxDatapoints - first));
            List<Datapoint> points = answer.points().subList(from, to);
            xml.append("<member>").append(element("Id", answer.id())).append(element("Label", answer.label()))
                    .append("<Timestamps>");
            points.forEach(point -> xml.append(element("member", time(point.time()))));
            xml.append("</Timestamps><Values>");
            points.forEach(point -> xml.append(element("member", number(point.value()))));
            xml.append("</Values>").append(element("StatusCode", to == size ? "Complete" : "PartialData")).append("</member>");
            first += size;
        }
        xml.append("</MetricDataResults>");
        if (offset + maxDatapoints < first) {
            xml.append(element("NextToken", Long.toString(offset + maxDatapoints)));
        }
        return xml.toString();
    }

    /** A GetMetricData query's datapoints: the periods that have a value for its statistic, in ScanBy order. */
    private record Answer(String id, String label, List<Datapoint> points) {
    }

    private Answer answer(Parameters p, Parameters query, boolean descending) {
        String id = query.required("Id");
        if (!QUERY_ID.matcher(id).matches()) {
            throw validation("The value " + id + " for parameter " + query.path("Id")
                    + " is invalid: an Id starts with a lower-case letter and has only letters, digits and underscores.");
        }
        if (query.has("Expression")) {
            throw validation("The local CloudWatch does not support metric math or Metrics Insights expressions ("
                    + query.path("Expression") + "): query metrics with MetricStat.");
        }
        if (!query.has("MetricStat")) {
            throw missing(query.path("MetricStat"));
        }
        Parameters stat = query.structure("MetricStat");
        Parameters m = stat.structure("Metric");
        Metric metric = new Metric(m.required("Namespace"), m.required("MetricName"), m.dimensions());
        String statistic = stat.required("Stat");
        if (!isStatistic(statistic)) {
            throw validation("The value " + statistic + " for parameter " + stat.path("Stat") + " is not a valid statistic:"
                    + " use SampleCount, Average, Sum, Minimum, Maximum or a percentile such as p99.");
        }
        String unit = stat.text("Unit") == null ? null : unit(stat.text("Unit"), stat.path("Unit"));
        Window window = window(p, period(stat));

        List<Datapoint> points = datapoints(metric, statistic, unit, window);
        if (descending) {
            Collections.reverse(points);
        }
        return new Answer(id, query.text("Label") == null ? metric.name() : query.text("Label"), points);
    }

    /** One period's value of a statistic: the period's start in epoch milliseconds, its sample count and the value. */
    public record Datapoint(long time, double sampleCount, double value) {
    }

    /**
     * What GetMetricData answers for one metric, for alarms: the periods of [start, end), {@code period} seconds each
     * from start, that have a value of {@code statistic} (see {@link #isStatistic}), oldest first; of one unit unless it
     * is null.
     */
    public List<Datapoint> datapoints(String namespace, String metricName, Map<String, String> dimensions, String statistic,
                                      String unit, Instant start, Instant end, int period) {
        Metric metric = new Metric(namespace, metricName, new TreeMap<>(dimensions));
        return datapoints(metric, statistic, unit, new Window(start.toEpochMilli(), end.toEpochMilli(), period * 1000L));
    }

    private List<Datapoint> datapoints(Metric metric, String statistic, String unit, Window window) {
        Map<Long, Aggregate> periods = aggregate(store.read(metric, window.start(), window.end(), unit),
                d -> window.periodStart(d.time()));
        List<Datapoint> points = new ArrayList<>();
        periods.forEach((start, aggregate) -> aggregate.value(statistic).ifPresent(v ->
                points.add(new Datapoint(start, aggregate.value("SampleCount").getAsDouble(), v))));
        return points;
    }

    /** Whether this local CloudWatch computes {@code statistic}: SampleCount, Average, Sum, Minimum, Maximum or a percentile (p99). */
    public static boolean isStatistic(String statistic) {
        return Aggregate.STATISTICS.contains(statistic) || Aggregate.isPercentile(statistic);
    }

    /** Whether {@code statistic} is a percentile from p0 to p100 with at most two decimals: p50, p99, p99.9. */
    public static boolean isPercentile(String statistic) {
        return Aggregate.isPercentile(statistic);
    }

    private static long offset(String nextToken) {
        if (nextToken == null) {
            return 0;
        }
        try {
            return Long.parseLong(nextToken);
        } catch (NumberFormatException e) {
            throw new AwsException(400, "InvalidNextToken", "The NextToken " + nextToken + " was not given by GetMetricData.");
        }
    }

    private String listMetrics(Parameters p) {
        List<DimensionFilter> filters = p.members("Dimensions").stream()
                .map(d -> new DimensionFilter(d.required("Name"), d.text("Value"))).toList();
        if (filters.size() > 10) {
            throw invalid("The collection Dimensions must not have more than 10 members.");
        }
        String recentlyActive = p.text("RecentlyActive");
        if (recentlyActive != null && !recentlyActive.equals("PT3H")) {
            throw invalid("The value " + recentlyActive + " for parameter RecentlyActive is invalid: the only value is PT3H.");
        }
        Long activeSince = recentlyActive == null ? null : Instant.now().minus(Duration.ofHours(3)).toEpochMilli();
        Page page = store.list(p.text("Namespace"), p.text("MetricName"), filters, activeSince, p.text("NextToken"));

        StringBuilder xml = new StringBuilder("<Metrics>");
        for (Metric metric : page.metrics()) {
            xml.append("<member>").append(element("Namespace", metric.namespace())).append(element("MetricName", metric.name()))
                    .append("<Dimensions>");
            metric.dimensions().forEach((name, value) ->
                    xml.append("<member>").append(element("Name", name)).append(element("Value", value)).append("</member>"));
            xml.append("</Dimensions></member>");
        }
        xml.append("</Metrics>");
        if (page.nextToken() != null) {
            xml.append(element("NextToken", page.nextToken()));
        }
        return xml.toString();
    }

    /** Period: 1, 5, 10 or 30 seconds (high resolution), or a multiple of a minute. */
    private static int period(Parameters p) {
        int period = p.integer("Period");
        boolean valid = period >= 60 ? period % 60 == 0 : period == 1 || period == 5 || period == 10 || period == 30;
        if (!valid) {
            throw invalid("The parameter " + p.path("Period") + " must be 1, 5, 10, 30 or a multiple of 60, not " + period + ".");
        }
        return period;
    }

    /** The periods a query covers, in epoch milliseconds: [start, end), each {@code period} long from start. */
    private record Window(long start, long end, long period) {

        long periodStart(long time) {
            return start + (time - start) / period * period;
        }

        long periods() {
            return (end - start + period - 1) / period;
        }
    }

    /**
     * StartTime rounded down as CloudWatch does: to the minute, or for periods under a minute to
     * a multiple of the period; EndTime is exclusive.
     */
    private static Window window(Parameters p, int period) {
        Instant start = p.time("StartTime");
        Instant end = p.time("EndTime");
        if (!start.isBefore(end)) {
            throw invalid("The parameter StartTime must be less than the parameter EndTime.");
        }
        return new Window(truncate(start, Math.min(period, 60)), end.toEpochMilli(), period * 1000L);
    }

    /** Groups data points (oldest first) by key; the groups keep that order. */
    private static <K> Map<K, Aggregate> aggregate(List<Datum> data, Function<Datum, K> key) {
        Map<K, Aggregate> groups = new LinkedHashMap<>();
        data.forEach(d -> groups.computeIfAbsent(key.apply(d), k -> new Aggregate()).add(d));
        return groups;
    }


    private static String number(double value) {
        return Double.toString(value);
    }

    private static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).toString();
    }
}
