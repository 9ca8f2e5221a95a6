package dev.stratus.cloud.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.cloud.cloudwatch.CloudWatchService;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.ServiceEndpoint;
import dev.stratus.cloud.state.Database;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.DimensionFilter;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataRequest;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricDataResponse;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsRequest;
import software.amazon.awssdk.services.cloudwatch.model.ListMetricsRequest;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataQuery;
import software.amazon.awssdk.services.cloudwatch.model.MetricDataResult;
import software.amazon.awssdk.services.cloudwatch.model.MetricDatum;
import software.amazon.awssdk.services.cloudwatch.model.ScanBy;
import software.amazon.awssdk.services.cloudwatch.model.StandardUnit;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;

/** The metrics service driven by the real AWS SDK CloudWatch client. */
class MetricsServiceTest {

    @TempDir
    Path tempDir;

    private Database db;
    private MetricsService service;
    private ServiceEndpoint endpoint;
    private CloudWatchClient cloudWatch;

    /** Two to three hours ago on the hour: inside PutMetricData's two weeks, and every period lines up with it. */
    private final Instant hour = Instant.now().truncatedTo(ChronoUnit.HOURS).minus(Duration.ofHours(2));

    @BeforeEach
    void open() throws Exception {
        db = new Database(tempDir.resolve("state.db"));
        service = new MetricsService(db);
        endpoint = new ServiceEndpoint(new CloudWatchService(service.operations()));
        cloudWatch = client(endpoint.uri());
    }

    @AfterEach
    void close() throws SQLException {
        cloudWatch.close();
        endpoint.close();
        db.close();
    }

    private static CloudWatchClient client(URI endpoint) {
        return CloudWatchClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"))).build();
    }

    @Test
    void aMetricBufferCountsConcurrentValuesPerMinuteAndKeepsThemForPercentiles() throws Exception {
        Instant minute = hour.plus(Duration.ofMinutes(7));
        Map<String, String> dimensions = Map.of("EndpointName", "e", "VariantName", "v");
        try (MetricBuffer buffer = new MetricBuffer(service, 60, Duration.ofHours(1))) {
            Thread[] writers = new Thread[4];
            for (int t = 0; t < writers.length; t++) {
                writers[t] = new Thread(() -> {
                    for (int i = 1; i <= 500; i++) {
                        buffer.add("AWS/SageMaker", "ModelLatency", dimensions, minute.plusSeconds(i % 60), i, "Microseconds");
                    }
                });
                writers[t].start();
            }
            for (Thread writer : writers) {
                writer.join();
            }
            buffer.flush();
            buffer.add("AWS/SageMaker", "ModelLatency", dimensions, minute, 1000, "Microseconds");
        } // close() writes the last value

        Datapoint point = datapoints(r -> r.namespace("AWS/SageMaker").metricName("ModelLatency")
                .dimensions(dimensions(dimensions)).startTime(minute).endTime(minute.plusSeconds(60)).period(60)
                .statistics(Statistic.SAMPLE_COUNT, Statistic.SUM, Statistic.MINIMUM, Statistic.MAXIMUM)).get(0);
        Datapoint percentiles = datapoints(r -> r.namespace("AWS/SageMaker").metricName("ModelLatency")
                .dimensions(dimensions(dimensions)).startTime(minute).endTime(minute.plusSeconds(60)).period(60)
                .extendedStatistics("p50", "p99", "p100")).get(0);
        // Nearest rank over 1..500 four times each and 1000 once: 4 x 250 = 1000 values lie below the 1000.5th.
        assertEquals(Map.of("p50", 251.0, "p99", 496.0, "p100", 1000.0), percentiles.extendedStatistics());
        assertEquals(2001, point.sampleCount());
        assertEquals(4 * 500 * 501 / 2 + 1000, point.sum());
        assertEquals(1, point.minimum());
        assertEquals(1000, point.maximum());
        assertEquals(StandardUnit.MICROSECONDS, point.unit());
    }

    @Test
    void aHighResolutionMetricBufferKeepsEachSecond() {
        Map<String, String> dimensions = Map.of("EndpointName", "e", "VariantName", "v");
        try (MetricBuffer buffer = new MetricBuffer(service, 1, Duration.ofHours(1))) {
            buffer.add("AWS/SageMaker", "Invocations", dimensions, hour.plusSeconds(5), 1, "None");
            buffer.add("AWS/SageMaker", "Invocations", dimensions, hour.plusSeconds(5), 1, "None");
            buffer.add("AWS/SageMaker", "Invocations", dimensions, hour.plusSeconds(17), 1, "None");
        }

        List<Datapoint> points = datapoints(r -> r.namespace("AWS/SageMaker").metricName("Invocations")
                .dimensions(dimensions(dimensions)).period(10).endTime(hour.plusSeconds(60)).statistics(Statistic.SUM));
        assertEquals(List.of(hour, hour.plusSeconds(10)), points.stream().map(Datapoint::timestamp).sorted().toList());
        assertEquals(3, points.stream().mapToDouble(Datapoint::sum).sum());
    }

    @Test
    void getMetricStatisticsComputesEveryStatisticAndPercentile() {
        // 120 values 5 s apart: two 5-minute periods of 60 values each.
        double[] values = IntStream.range(0, 120).mapToDouble(i -> i * 37 % 101 + 0.25).toArray();
        List<MetricDatum> data = new ArrayList<>();
        for (int i = 0; i < values.length; i++) {
            data.add(datum("Latency", values[i], hour.plusSeconds(5L * i), Map.of("Host", "a"))
                    .toBuilder().unit(StandardUnit.MILLISECONDS).build());
        }
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(data));

        List<Datapoint> statistics = datapoints(r -> r.metricName("Latency").dimensions(dimensions(Map.of("Host", "a")))
                .period(300).endTime(hour.plus(Duration.ofMinutes(10))).statistics(Statistic.knownValues()));
        List<Datapoint> percentiles = datapoints(r -> r.metricName("Latency").dimensions(dimensions(Map.of("Host", "a")))
                .period(300).endTime(hour.plus(Duration.ofMinutes(10))).extendedStatistics("p99", "p50", "p0", "p100"));

        assertEquals(2, statistics.size());
        assertEquals(2, percentiles.size());
        for (int p = 0; p < 2; p++) {
            double[] period = Arrays.copyOfRange(values, 60 * p, 60 * p + 60);
            Datapoint stats = statistics.get(p);
            assertEquals(hour.plus(Duration.ofMinutes(5L * p)), stats.timestamp());
            assertEquals(60, stats.sampleCount());
            assertEquals(Arrays.stream(period).sum(), stats.sum(), 1e-9);
            assertEquals(Arrays.stream(period).average().orElseThrow(), stats.average(), 1e-9);
            assertEquals(Arrays.stream(period).min().orElseThrow(), stats.minimum());
            assertEquals(Arrays.stream(period).max().orElseThrow(), stats.maximum());
            assertEquals(StandardUnit.MILLISECONDS, stats.unit());

            Map<String, Double> extended = percentiles.get(p).extendedStatistics();
            assertEquals(percentile(period, 99), extended.get("p99"));
            assertEquals(percentile(period, 50), extended.get("p50"));
            assertEquals(Arrays.stream(period).min().orElseThrow(), extended.get("p0"));
            assertEquals(Arrays.stream(period).max().orElseThrow(), extended.get("p100"));
        }
    }

    @Test
    void countsWeighValues() {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(
                MetricDatum.builder().metricName("Size").timestamp(hour).values(1.0, 2.0, 3.0).counts(1.0, 2.0, 7.0).build(),
                MetricDatum.builder().metricName("Size").timestamp(hour.plusSeconds(20)).values(10.0).build()));
        double[] seen = {1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 10};

        Datapoint stats = datapoints(r -> r.metricName("Size").period(60).statistics(Statistic.knownValues())).get(0);
        Map<String, Double> extended = datapoints(r -> r.metricName("Size").period(60).extendedStatistics("p10", "p50", "p95"))
                .get(0).extendedStatistics();

        assertEquals(11, stats.sampleCount());
        assertEquals(36, stats.sum());
        assertEquals(36 / 11.0, stats.average(), 1e-12);
        assertEquals(1, stats.minimum());
        assertEquals(10, stats.maximum());
        assertEquals(StandardUnit.NONE, stats.unit());
        assertEquals(Map.of("p10", percentile(seen, 10), "p50", percentile(seen, 50), "p95", percentile(seen, 95)), extended);
        assertEquals(Map.of("p10", 2.0, "p50", 3.0, "p95", 10.0), extended);
    }

    @Test
    void statisticSetsGiveStatisticsButNoPercentiles() {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(
                MetricDatum.builder().metricName("Work").timestamp(hour)
                        .statisticValues(s -> s.sampleCount(4.0).sum(20.0).minimum(2.0).maximum(8.0)).build(),
                // One value seen three times: CloudWatch treats such a set as values, percentiles included.
                MetricDatum.builder().metricName("Work").timestamp(hour.plusSeconds(60))
                        .statisticValues(s -> s.sampleCount(3.0).sum(15.0).minimum(5.0).maximum(5.0)).build(),
                datum("Work", 7, hour.plusSeconds(90), Map.of())));

        List<Datapoint> minutes = datapoints(r -> r.metricName("Work").period(60).statistics(Statistic.knownValues()));
        assertEquals(List.of(4.0, 20.0, 5.0, 2.0, 8.0), statistics(minutes.get(0)));
        assertEquals(List.of(4.0, 22.0, 5.5, 5.0, 7.0), statistics(minutes.get(1)));

        List<Datapoint> percentiles = datapoints(r -> r.metricName("Work").period(60).extendedStatistics("p50", "p100"));
        assertEquals(1, percentiles.size(), "the first minute is a statistic set: no percentiles");
        assertEquals(hour.plusSeconds(60), percentiles.get(0).timestamp());
        assertEquals(Map.of("p50", 5.0, "p100", 7.0), percentiles.get(0).extendedStatistics());

        assertEquals(List.of(), datapoints(r -> r.metricName("Work").period(120).extendedStatistics("p50")));
        assertEquals(42, datapoints(r -> r.metricName("Work").period(120).statistics(Statistic.SUM)).get(0).sum());
    }

    @Test
    void getMetricDataAnswersEachQueryInScanOrder() {
        // Minute m has the values m + 1 and 10 (m + 1) for Latency, and 100 for Errors.
        List<MetricDatum> data = new ArrayList<>();
        for (int m = 0; m < 10; m++) {
            Instant minute = hour.plus(Duration.ofMinutes(m));
            data.add(datum("Latency", m + 1, minute, Map.of("Host", "a")));
            data.add(datum("Latency", 10 * (m + 1), minute.plusSeconds(30), Map.of("Host", "a")));
            data.add(datum("Errors", 100, minute, Map.of("Host", "a")));
        }
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(data));

        GetMetricDataResponse response = cloudWatch.getMetricData(r -> r.startTime(hour).endTime(hour.plus(Duration.ofMinutes(10)))
                .metricDataQueries(
                        query("sum", "Latency", 60, "Sum"),
                        query("average", "Latency", 300, "Average"),
                        query("median", "Latency", 600, "p50"),
                        query("errors", "Errors", 300, "Maximum").toBuilder().label("Errors of a").build(),
                        query("hidden", "Errors", 60, "Sum").toBuilder().returnData(false).build()));

        Map<String, MetricDataResult> results = response.metricDataResults().stream()
                .collect(Collectors.toMap(MetricDataResult::id, r -> r, (a, b) -> a, LinkedHashMap::new));
        assertEquals(List.of("sum", "average", "median", "errors"), List.copyOf(results.keySet()));
        assertNull(response.nextToken());

        MetricDataResult sum = results.get("sum");
        assertEquals("Latency", sum.label());
        assertEquals("Complete", sum.statusCodeAsString());
        assertEquals(IntStream.range(0, 10).map(m -> 9 - m).mapToObj(m -> hour.plus(Duration.ofMinutes(m))).toList(),
                sum.timestamps(), "newest first by default");
        assertEquals(IntStream.range(0, 10).map(m -> 9 - m).mapToObj(m -> 11.0 * (m + 1)).toList(), sum.values());

        // Minutes 0-4 have 1..5 and 10..50: (15 + 150) / 10; minutes 5-9: (40 + 400) / 10.
        assertEquals(List.of(hour.plus(Duration.ofMinutes(5)), hour), results.get("average").timestamps());
        assertEquals(List.of(44.0, 16.5), results.get("average").values());
        // 1..10 and 10..100: the 10th smallest of 20 is 10.
        assertEquals(List.of(10.0), results.get("median").values());
        assertEquals("Errors of a", results.get("errors").label());
        assertEquals(List.of(100.0, 100.0), results.get("errors").values());

        MetricDataResult ascending = cloudWatch.getMetricData(r -> r.startTime(hour).endTime(hour.plus(Duration.ofMinutes(10)))
                .scanBy(ScanBy.TIMESTAMP_ASCENDING).metricDataQueries(query("sum", "Latency", 120, "Sum"))).metricDataResults().get(0);
        assertEquals(IntStream.range(0, 5).mapToObj(p -> hour.plus(Duration.ofMinutes(2L * p))).toList(), ascending.timestamps());
        assertEquals(List.of(33.0, 77.0, 121.0, 165.0, 209.0), ascending.values());
    }

    @Test
    void getMetricDataPagesByMaxDatapoints() {
        List<MetricDatum> data = IntStream.range(0, 10)
                .mapToObj(m -> datum("Latency", m, hour.plus(Duration.ofMinutes(m)), Map.of("Host", "a"))).toList();
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(data));
        GetMetricDataRequest request = GetMetricDataRequest.builder().startTime(hour).endTime(hour.plus(Duration.ofMinutes(10)))
                .scanBy(ScanBy.TIMESTAMP_ASCENDING).maxDatapoints(4)
                .metricDataQueries(query("minutes", "Latency", 60, "Sum"), query("halves", "Latency", 300, "Sum")).build();

        List<GetMetricDataResponse> pages = cloudWatch.getMetricDataPaginator(request).stream().toList();

        assertEquals(3, pages.size(), "12 datapoints, 4 a page");
        assertEquals("PartialData", pages.get(0).metricDataResults().get(0).statusCodeAsString());
        Map<String, List<Double>> values = new TreeMap<>();
        pages.forEach(page -> page.metricDataResults().forEach(r ->
                values.computeIfAbsent(r.id(), id -> new ArrayList<>()).addAll(r.values())));
        assertEquals(Map.of("minutes", List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0), "halves", List.of(10.0, 35.0)), values);
        assertTrue(pages.get(2).metricDataResults().stream().allMatch(r -> r.statusCodeAsString().equals("Complete")));
    }

    @Test
    void highResolutionDataFillsPeriodsUnderAMinute() {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(
                datum("Load", 1, hour.plusSeconds(3), Map.of()).toBuilder().storageResolution(1).build(),
                datum("Load", 2, hour.plusSeconds(7), Map.of()).toBuilder().storageResolution(1).build(),
                datum("Load", 4, hour.plusSeconds(12), Map.of()).toBuilder().storageResolution(1).build(),
                // Standard resolution keeps the minute only: this value counts at hour:00.
                datum("Load", 8, hour.plusSeconds(45), Map.of())));

        List<Datapoint> periods = datapoints(r -> r.metricName("Load").period(10).endTime(hour.plusSeconds(60))
                .statistics(Statistic.SUM));

        assertEquals(List.of(hour, hour.plusSeconds(10)), periods.stream().map(Datapoint::timestamp).toList());
        assertEquals(List.of(11.0, 4.0), periods.stream().map(Datapoint::sum).toList());
    }

    @Test
    void dimensionsMatchTheWholeSetInAnyOrder() {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(
                datum("Requests", 1, hour, Map.of()),
                datum("Requests", 2, hour, Map.of("Host", "a")),
                MetricDatum.builder().metricName("Requests").value(4.0).timestamp(hour)
                        .dimensions(dimension("Region", "x"), dimension("Host", "a")).build()));

        assertEquals(List.of(1.0), sums(List.of()));
        assertEquals(List.of(2.0), sums(List.of(dimension("Host", "a"))));
        assertEquals(List.of(4.0), sums(List.of(dimension("Host", "a"), dimension("Region", "x"))));
        assertEquals(List.of(), sums(List.of(dimension("Host", "b"))));
        assertEquals(List.of(), sums(List.of(dimension("Region", "x"))));
    }

    @Test
    void listMetricsFilters() {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(
                datum("Requests", 1, hour, Map.of()),
                datum("Requests", 1, hour, Map.of("Host", "a")),
                datum("Requests", 1, hour, Map.of("Host", "b")),
                datum("Requests", 1, hour, Map.of("Host", "a", "Region", "x")),
                datum("Errors", 1, hour, Map.of("Host", "a")),
                datum("Errors", 1, hour, Map.of("Host", "a")),
                datum("Old", 1, hour.minus(Duration.ofHours(2)), Map.of())));
        cloudWatch.putMetricData(r -> r.namespace("Other").metricData(datum("Requests", 1, hour, Map.of("Host", "a"))));

        assertEquals(Set.of("App/Requests{}", "App/Requests{Host=a}", "App/Requests{Host=b}", "App/Requests{Host=a, Region=x}",
                "App/Errors{Host=a}", "App/Old{}"), metrics(r -> r.namespace("App")));
        assertEquals(Set.of("App/Requests{}", "App/Requests{Host=a}", "App/Requests{Host=b}", "App/Requests{Host=a, Region=x}",
                "Other/Requests{Host=a}"), metrics(r -> r.metricName("Requests")));
        assertEquals(Set.of("App/Requests{Host=a}", "App/Requests{Host=a, Region=x}", "App/Errors{Host=a}",
                "Other/Requests{Host=a}"), metrics(r -> r.dimensions(DimensionFilter.builder().name("Host").value("a").build())));
        assertEquals(Set.of("App/Requests{Host=a, Region=x}"), metrics(r -> r.namespace("App")
                .dimensions(DimensionFilter.builder().name("Host").build(), DimensionFilter.builder().name("Region").build())));
        assertFalse(metrics(r -> r.namespace("App").recentlyActive("PT3H")).contains("App/Old{}"), "Old was put 4 to 5 hours ago");
    }

    @Test
    void listMetricsPagesBy500() {
        List<MetricDatum> data = IntStream.range(0, 501).mapToObj(i -> datum("m" + i, i, hour, Map.of("Host", "h"))).toList();
        cloudWatch.putMetricData(r -> r.namespace("Many").metricData(data));

        List<List<Metric>> pages = cloudWatch.listMetricsPaginator(r -> r.namespace("Many")).stream()
                .map(page -> page.metrics()).toList();

        assertEquals(List.of(500, 1), pages.stream().map(List::size).toList());
        assertEquals(IntStream.range(0, 501).mapToObj(i -> "m" + i).collect(Collectors.toSet()),
                pages.stream().flatMap(List::stream).map(Metric::metricName).collect(Collectors.toSet()));
    }

    @Test
    void largeRequestsArriveGzipped() throws Exception {
        List<String> encodings = new CopyOnWriteArrayList<>();
        CloudWatchService cloudWatchService = new CloudWatchService(service.operations());
        AwsService recording = new AwsService() {
            @Override
            public String signingName() {
                return cloudWatchService.signingName();
            }

            @Override
            public AwsResponse handle(AwsRequest request) throws Exception {
                encodings.add(String.valueOf(request.header("content-encoding")));
                return cloudWatchService.handle(request);
            }
        };
        List<MetricDatum> data = IntStream.range(0, 300).mapToObj(i -> datum("Big", i, hour, Map.of("Host", "h" + i))).toList();
        try (ServiceEndpoint recorded = new ServiceEndpoint(recording); CloudWatchClient client = client(recorded.uri())) {
            client.putMetricData(r -> r.namespace("App").metricData(data));
        }

        assertEquals(List.of("gzip"), encodings, "the SDK compresses PutMetricData bodies from 10 KB on");
        assertEquals(300, metrics(r -> r.metricName("Big")).size());
    }

    @Test
    void errorsGiveCloudWatchCodesAndOneLineMessages() {
        Instant end = hour.plus(Duration.ofMinutes(5));
        assertError("MissingParameter", "MetricData.member.1.MetricName", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(MetricDatum.builder().value(1.0).build())));
        assertError("MissingParameter", "Value", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(MetricDatum.builder().metricName("M").build())));
        assertError("InvalidParameterCombination", "mutually exclusive", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(MetricDatum.builder().metricName("M").value(1.0)
                        .statisticValues(s -> s.sampleCount(1.0).sum(1.0).minimum(1.0).maximum(1.0)).build())));
        assertError("InvalidParameterValue", "same size", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(MetricDatum.builder().metricName("M").values(1.0, 2.0).counts(1.0).build())));
        assertError("InvalidParameterValue", "Parsecs", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(MetricDatum.builder().metricName("M").value(1.0).unit("Parsecs").build())));
        assertError("InvalidParameterValue", "finite", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(MetricDatum.builder().metricName("M").value(Double.NaN).build())));
        assertError("InvalidParameterValue", "two weeks", () -> cloudWatch.putMetricData(r -> r.namespace("App")
                .metricData(datum("M", 1, hour.minus(Duration.ofDays(21)), Map.of()))));

        assertError("InvalidParameterValue", "Period", () -> cloudWatch.getMetricStatistics(r -> r.namespace("App")
                .metricName("M").startTime(hour).endTime(end).period(45).statistics(Statistic.SUM)));
        assertError("InvalidParameterCombination", "not both", () -> cloudWatch.getMetricStatistics(r -> r.namespace("App")
                .metricName("M").startTime(hour).endTime(end).period(60).statistics(Statistic.SUM).extendedStatistics("p99")));
        assertError("InvalidParameterValue", "p101", () -> cloudWatch.getMetricStatistics(r -> r.namespace("App")
                .metricName("M").startTime(hour).endTime(end).period(60).extendedStatistics("p101")));
        assertError("InvalidParameterCombination", "1,440", () -> cloudWatch.getMetricStatistics(r -> r.namespace("App")
                .metricName("M").startTime(hour.minus(Duration.ofDays(2))).endTime(end).period(60).statistics(Statistic.SUM)));
        assertError("InvalidParameterValue", "StartTime", () -> cloudWatch.getMetricStatistics(r -> r.namespace("App")
                .metricName("M").startTime(end).endTime(hour).period(60).statistics(Statistic.SUM)));

        assertError("ValidationError", "does not support metric math", () -> cloudWatch.getMetricData(r -> r.startTime(hour)
                .endTime(end).metricDataQueries(MetricDataQuery.builder().id("e").expression("SUM(METRICS())").build())));
        assertError("ValidationError", "Median", () -> cloudWatch.getMetricData(r -> r.startTime(hour).endTime(end)
                .metricDataQueries(query("m", "M", 60, "Median"))));
        assertError("ValidationError", "Id", () -> cloudWatch.getMetricData(r -> r.startTime(hour).endTime(end)
                .metricDataQueries(query("Upper", "M", 60, "Sum"))));

        assertError("InvalidNextToken", "NextToken", () -> cloudWatch.listMetrics(r -> r.nextToken("not-a-token")));
        assertError("InvalidAction", "DescribeAlarms", () -> cloudWatch.describeAlarms());
    }

    @Test
    void dataSurvivesReopeningTheDatabase() throws Exception {
        cloudWatch.putMetricData(r -> r.namespace("App").metricData(
                datum("Requests", 3, hour, Map.of("Host", "a")), datum("Requests", 4, hour.plusSeconds(10), Map.of("Host", "a"))));

        close();
        open();

        assertEquals(List.of(7.0), sums(List.of(dimension("Host", "a"))));
        assertEquals(Set.of("App/Requests{Host=a}"), metrics(r -> r.namespace("App")));
    }

    @Test
    void putRecordsWithoutHttp() {
        Map<String, String> endpoint = Map.of("EndpointName", "e1", "VariantName", "AllTraffic");
        for (int second : new int[] {10, 20, 30, 70}) {
            service.put("AWS/SageMaker", "Invocations", endpoint, hour.plusSeconds(second), 1, "Count");
        }
        service.put("AWS/SageMaker", "ModelLatency", endpoint, hour.plusSeconds(15), 1250, "Microseconds");

        List<Datapoint> minutes = cloudWatch.getMetricStatistics(r -> r.namespace("AWS/SageMaker").metricName("Invocations")
                .dimensions(dimensions(endpoint)).startTime(hour).endTime(hour.plusSeconds(120)).period(60)
                .statistics(Statistic.SUM)).datapoints().stream().sorted(Comparator.comparing(Datapoint::timestamp)).toList();
        assertEquals(List.of(hour, hour.plusSeconds(60)), minutes.stream().map(Datapoint::timestamp).toList());
        assertEquals(List.of(3.0, 1.0), minutes.stream().map(Datapoint::sum).toList());
        assertEquals(StandardUnit.COUNT, minutes.get(0).unit());
        assertEquals(Set.of("AWS/SageMaker/Invocations{EndpointName=e1, VariantName=AllTraffic}",
                "AWS/SageMaker/ModelLatency{EndpointName=e1, VariantName=AllTraffic}"), metrics(r -> r.namespace("AWS/SageMaker")));

        AwsException error = assertThrows(AwsException.class,
                () -> service.put("App", "M", Map.of(), hour, Double.POSITIVE_INFINITY, null));
        assertEquals("InvalidParameterValue", error.code());
    }

    // --- helpers ---

    /** GetMetricStatistics in namespace App from {@link #hour}, until ten minutes later unless the request says otherwise; oldest first. */
    private List<Datapoint> datapoints(Consumer<GetMetricStatisticsRequest.Builder> request) {
        GetMetricStatisticsRequest.Builder builder = GetMetricStatisticsRequest.builder().namespace("App")
                .startTime(hour).endTime(hour.plus(Duration.ofMinutes(10)));
        request.accept(builder);
        return cloudWatch.getMetricStatistics(builder.build()).datapoints().stream()
                .sorted(Comparator.comparing(Datapoint::timestamp)).toList();
    }

    private static List<Double> statistics(Datapoint d) {
        return List.of(d.sampleCount(), d.sum(), d.average(), d.minimum(), d.maximum());
    }

    /** The 5-minute sums of App/Requests with exactly these dimensions. */
    private List<Double> sums(List<Dimension> dimensions) {
        return datapoints(r -> r.metricName("Requests").dimensions(dimensions).period(300).statistics(Statistic.SUM))
                .stream().map(Datapoint::sum).toList();
    }

    /** All pages of ListMetrics, each metric as {@code Namespace/Name{dimensions}}. */
    private Set<String> metrics(Consumer<ListMetricsRequest.Builder> request) {
        return cloudWatch.listMetricsPaginator(request).metrics().stream()
                .map(m -> m.namespace() + "/" + m.metricName() + m.dimensions().stream()
                        .collect(Collectors.toMap(Dimension::name, Dimension::value, (a, b) -> a, TreeMap::new)))
                .collect(Collectors.toSet());
    }

    private static MetricDataQuery query(String id, String metricName, int period, String stat) {
        return MetricDataQuery.builder().id(id).metricStat(s -> s.period(period).stat(stat)
                .metric(m -> m.namespace("App").metricName(metricName).dimensions(dimension("Host", "a")))).build();
    }

    private static MetricDatum datum(String name, double value, Instant time, Map<String, String> dimensions) {
        return MetricDatum.builder().metricName(name).value(value).timestamp(time).dimensions(dimensions(dimensions)).build();
    }

    private static List<Dimension> dimensions(Map<String, String> dimensions) {
        return dimensions.entrySet().stream().map(e -> dimension(e.getKey(), e.getValue())).toList();
    }

    private static Dimension dimension(String name, String value) {
        return Dimension.builder().name(name).value(value).build();
    }

    /** The nearest-rank percentile, computed apart from the service: the ceil(p% of n)-th smallest value. */
    private static double percentile(double[] values, double p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    private static void assertError(String code, String inMessage, Executable call) {
        CloudWatchException e = assertThrows(CloudWatchException.class, call);
        String message = e.awsErrorDetails().errorMessage();
        assertEquals(code, e.awsErrorDetails().errorCode(), message);
        assertEquals(400, e.statusCode());
        assertTrue(message.contains(inMessage), message);
        assertFalse(message.contains("\n"), message);
    }
}
