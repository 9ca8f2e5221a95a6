package dev.stratus.cloud.transform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stratus.cloud.testing.LocalCloudFixture;
import dev.stratus.cloud.testing.ModelArchives;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatch.model.Dimension;
import software.amazon.awssdk.services.cloudwatch.model.Metric;
import software.amazon.awssdk.services.cloudwatchlogs.model.LogStream;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sagemaker.model.CreateTransformJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTransformJobResponse;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.TransformJobStatus;
import software.amazon.awssdk.services.sagemaker.model.TransformJobSummary;

/**
 * Batch transform through the AWS SDK's SageMaker, S3, Logs and CloudWatch clients, with the test model server as the
 * model (scale * (sum of a CSV row) + bias), whose predictions the tests compute themselves record by record.
 */
class TransformJobsTest {

    private static final double SCALE = 2;
    private static final double BIAS = 0.5;
    private static final String GROUP = "/aws/sagemaker/TransformJobs";

    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();

    @BeforeAll
    static void start() throws Exception {
        cloud.s3.createBucket(r -> r.bucket("batch"));
        cloud.s3.putObject(r -> r.bucket("batch").key("model/model.tar.gz"), RequestBody.fromBytes(ModelArchives.model(SCALE, BIAS)));
        model("summer", Map.of());
    }

    static void model(String name, Map<String, String> environment) {
        cloud.sagemaker.createModel(r -> r.modelName(name).executionRoleArn(LocalCloudFixture.ROLE).primaryContainer(c -> c
                .image(LocalCloudFixture.MODEL_SERVER_IMAGE).modelDataUrl("s3://batch/model/model.tar.gz").environment(environment)));
    }

    static void put(String key, String text) {
        cloud.s3.putObject(r -> r.bucket("batch").key(key), RequestBody.fromString(text));
    }

    static String get(String key) {
        return cloud.s3.getObjectAsBytes(r -> r.bucket("batch").key(key)).asUtf8String();
    }

    /** A job of the "summer" model reading {@code input}, writing to {@code output}; {@code more} sets the rest. */
    static void create(String name, String input, String output, Consumer<CreateTransformJobRequest.Builder> more) {
        cloud.sagemaker.createTransformJob(r -> {
            r.transformJobName(name).modelName("summer")
                    .transformInput(i -> i.contentType("text/csv").splitType("Line")
                            .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri(input))))
                    .transformOutput(o -> o.s3OutputPath(output).assembleWith("Line"))
                    .transformResources(t -> t.instanceType("ml.m5.large").instanceCount(1));
            more.accept(r);
        });
    }

    /** Rows of whole numbers, so that the model's sums are exact. */
    static List<int[]> rows(Random random, int count) {
        List<int[]> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(new int[] {random.nextInt(1000), random.nextInt(1000), random.nextInt(1000)});
        }
        return rows;
    }

    static String csv(List<int[]> rows) {
        StringBuilder csv = new StringBuilder();
        rows.forEach(row -> csv.append(row[0]).append(',').append(row[1]).append(',').append(row[2]).append('\n'));
        return csv.toString();
    }

    /** What the model answers for each row, computed here. */
    static String predictions(List<int[]> rows) {
        StringBuilder out = new StringBuilder();
        rows.forEach(row -> out.append(SCALE * (row[0] + row[1] + row[2]) + BIAS).append('\n'));
        return out.toString();
    }

    static List<String> messages(String stream) {
        return cloud.logs.getLogEvents(r -> r.logGroupName(GROUP).logStreamName(stream).startFromHead(true)).events().stream()
                .map(OutputLogEvent::message).toList();
    }

    static List<String> streams(String job) {
        return cloud.logs.describeLogStreams(r -> r.logGroupName(GROUP).logStreamNamePrefix(job + "/")).logStreams().stream()
                .map(LogStream::logStreamName).sorted().toList();
    }

    @Test
    void everyObjectIsTransformedRecordByRecordAcrossInstances() throws Exception {
        Random random = new Random(7);
        Map<String, List<int[]>> objects = Map.of("in/a.csv", rows(random, 40_000), "in/b.csv", rows(random, 10),
                "in/more/c.csv", rows(random, 300), "in/d.csv", rows(random, 1));
        objects.forEach((key, rows) -> put(key, csv(rows)));
        // The first object is over 1 MB: MaxPayloadInMB 1 cuts it into several requests.
        create("spread", "s3://batch/in/", "s3://batch/spread-out", r -> r.batchStrategy("MultiRecord").maxPayloadInMB(1)
                .maxConcurrentTransforms(2).transformResources(t -> t.instanceType("ml.m5.large").instanceCount(2)));
        DescribeTransformJobResponse job = cloud.awaitTransformJob("spread");

        assertEquals(TransformJobStatus.COMPLETED, job.transformJobStatus(), job.failureReason());
        objects.forEach((key, rows) -> assertEquals(predictions(rows), get("spread-out/" + key.substring(3) + ".out"), key));
        assertTrue(job.transformStartTime().isAfter(job.creationTime()) && job.transformEndTime().isAfter(job.transformStartTime()));
        assertEquals(2, job.maxConcurrentTransforms());
        assertEquals(1, job.maxPayloadInMB());
        assertEquals("arn:aws:sagemaker:us-east-1:000000000000:transform-job/spread", job.transformJobArn());
        List<TransformJobSummary> listed = cloud.sagemaker.listTransformJobs(r -> r.nameContains("sprea")
                .statusEquals(TransformJobStatus.COMPLETED)).transformJobSummaries();
        assertEquals(List.of("spread"), listed.stream().map(TransformJobSummary::transformJobName).toList());

        // Each instance logs to <job>/<instance id>, and what the platform did to <job>/<instance id>/data-log.
        List<String> streams = streams("spread");
        List<String> dataLogs = streams.stream().filter(s -> s.endsWith("/data-log")).toList();
        assertEquals(2, dataLogs.size(), streams.toString());
        assertEquals(4, streams.size(), streams.toString());
        List<String> platform = dataLogs.stream().flatMap(s -> messages(s).stream()).toList();
        assertTrue(platform.contains("[sagemaker logs]: MaxConcurrentTransforms=2, MaxPayloadInMB=1, BatchStrategy=MULTI_RECORD"),
                platform.toString());
        for (String key : objects.keySet()) {
            assertTrue(platform.stream().anyMatch(line -> line.contains("s3://batch/" + key + ": " + objects.get(key).size()
                    + " records transformed into s3://batch/spread-out/" + key.substring(3) + ".out")), platform.toString());
        }
        String model = streams.stream().filter(s -> !s.endsWith("/data-log")).findFirst().orElseThrow();
        assertTrue(model.matches("spread/i-0[0-9a-f]{16}"), model);
        assertTrue(messages(model).stream().anyMatch(line -> line.startsWith("test model server on port")), messages(model).toString());

        // Instance metrics, by Host=<job>/<instance id>.
        List<String> hosts = new ArrayList<>();
        for (Metric metric : cloud.cloudwatch.listMetrics(r -> r.namespace(GROUP).metricName("CPUUtilization")).metrics()) {
            metric.dimensions().stream().filter(d -> d.name().equals("Host") && d.value().startsWith("spread/"))
                    .map(Dimension::value).forEach(hosts::add);
        }
        assertEquals(dataLogs.stream().map(s -> s.substring(0, s.length() - "/data-log".length())).sorted().toList(),
                hosts.stream().sorted().toList());
        for (String metric : List.of("MemoryUtilization", "DiskUtilization")) {
            assertFalse(cloud.cloudwatch.listMetrics(r -> r.namespace(GROUP).metricName(metric)).metrics().isEmpty(), metric);
        }
    }

    @Test
    void gzipAndAManifestAndWholeObjects() throws Exception {
        Random random = new Random(8);
        List<int[]> zipped = rows(random, 500);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(csv(zipped).getBytes(StandardCharsets.UTF_8));
        }
        cloud.s3.putObject(r -> r.bucket("batch").key("gz/rows.csv.gz"), RequestBody.fromBytes(gz.toByteArray()));
        create("gzipped", "s3://batch/gz/", "s3://batch/gz-out", r -> r.transformInput(i -> i.contentType("text/csv")
                .splitType("Line").compressionType("Gzip").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://batch/gz/")))));

        List<int[]> first = rows(random, 20);
        List<int[]> second = rows(random, 5);
        put("listed/one.csv", csv(first));
        put("listed/sub/two.csv", csv(second));
        put("listed/not-listed.csv", csv(rows(random, 3)));
        put("manifests/m.json", "[{\"prefix\": \"s3://batch/listed/\"}, \"one.csv\", \"sub/two.csv\"]");
        create("manifest", null, "s3://batch/manifest-out", r -> r.transformInput(i -> i.contentType("text/csv").splitType("Line")
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType("ManifestFile").s3Uri("s3://batch/manifests/m.json")))));

        // SplitType None: each object is one request, its answer written as it came; an empty object gives an empty output.
        List<int[]> whole = rows(random, 4);
        put("whole/rows.csv", csv(whole));
        put("whole/empty.csv", "");
        create("whole", "s3://batch/whole/", "s3://batch/whole-out", r -> r.transformInput(i -> i.contentType("text/csv")
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://batch/whole/"))))
                .transformOutput(o -> o.s3OutputPath("s3://batch/whole-out")));

        assertEquals(TransformJobStatus.COMPLETED, cloud.awaitTransformJob("gzipped").transformJobStatus());
        assertEquals(predictions(zipped), get("gz-out/rows.csv.gz.out"));
        DescribeTransformJobResponse manifest = cloud.awaitTransformJob("manifest");
        assertEquals(TransformJobStatus.COMPLETED, manifest.transformJobStatus(), manifest.failureReason());
        assertEquals(predictions(first), get("manifest-out/one.csv.out"));
        assertEquals(predictions(second), get("manifest-out/sub/two.csv.out"));
        assertEquals(List.of("manifest-out/one.csv.out", "manifest-out/sub/two.csv.out"), keys("manifest-out/"));
        assertEquals(TransformJobStatus.COMPLETED, cloud.awaitTransformJob("whole").transformJobStatus());
        assertEquals(predictions(whole), get("whole-out/rows.csv.out"));
        assertEquals("", get("whole-out/empty.csv.out"));
    }

    @Test
    void settingsComeFromTheJobElseFromExecutionParameters() throws Exception {
        model("told", Map.of("TEST_EXECUTION_PARAMETERS",
                "{\"MaxConcurrentTransforms\": 3, \"BatchStrategy\": \"SINGLE_RECORD\", \"MaxPayloadInMB\": 2}",
                "TEST_INVOCATION_DELAY_MS", "100"));
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            for (String variable : List.of("SAGEMAKER_BATCH", "SAGEMAKER_BATCH_STRATEGY", "SAGEMAKER_MAX_PAYLOAD_IN_MB",
                    "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS")) {
                records.append("env ").append(variable).append('\n');
            }
        }
        put("env/records.txt", records.toString());
        // The job sets nothing: the container's /execution-parameters decide, and no SAGEMAKER_BATCH_* but SAGEMAKER_BATCH is set.
        cloud.sagemaker.createTransformJob(r -> r.transformJobName("asked").modelName("told")
                .transformInput(i -> i.splitType("Line").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://batch/env/"))))
                .transformOutput(o -> o.s3OutputPath("s3://batch/asked-out").assembleWith("Line"))
                .transformResources(t -> t.instanceType("ml.m5.large").instanceCount(1)));
        // The job sets all three: the container gets them in its environment.
        cloud.sagemaker.createTransformJob(r -> r.transformJobName("given").modelName("told").batchStrategy("SingleRecord")
                .maxConcurrentTransforms(2).maxPayloadInMB(1)
                .transformInput(i -> i.splitType("Line").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://batch/env/"))))
                .transformOutput(o -> o.s3OutputPath("s3://batch/given-out").assembleWith("Line"))
                .transformResources(t -> t.instanceType("ml.m5.large").instanceCount(1)));

        DescribeTransformJobResponse asked = cloud.awaitTransformJob("asked");
        assertEquals(TransformJobStatus.COMPLETED, asked.transformJobStatus(), asked.failureReason());
        assertEquals("True\nnull\nnull\nnull\n".repeat(4), get("asked-out/records.txt.out"));
        assertEquals(3, asked.maxConcurrentTransforms());
        assertEquals(2, asked.maxPayloadInMB());
        assertEquals("SingleRecord", asked.batchStrategyAsString());
        assertEquals(3, maxInFlight("asked"));

        DescribeTransformJobResponse given = cloud.awaitTransformJob("given");
        assertEquals(TransformJobStatus.COMPLETED, given.transformJobStatus(), given.failureReason());
        assertEquals("True\nSINGLE_RECORD\n1\n2\n".repeat(4), get("given-out/records.txt.out"));
        assertEquals(2, maxInFlight("given"));
    }

    /** The most requests the test model server had at once, from its log lines. */
    static int maxInFlight(String job) {
        return streams(job).stream().filter(s -> !s.endsWith("/data-log")).flatMap(s -> messages(s).stream())
                .filter(line -> line.startsWith("in flight: ")).mapToInt(line -> Integer.parseInt(line.substring(11)))
                .max().orElse(0);
    }

    @Test
    void aRejectedRecordFailsTheJobNamingTheObjectAndTheRecord() throws Exception {
        put("rejected/a.csv", "1,2,3\n4,5,6\n");
        put("rejected/b.csv", "1,2,3\n\n4,5,6\n7,x,9\n10,11,12\n");
        create("one-by-one", "s3://batch/rejected/", "s3://batch/rejected-single", r -> r.batchStrategy("SingleRecord"));
        create("all-at-once", "s3://batch/rejected/", "s3://batch/rejected-multi", r -> r.batchStrategy("MultiRecord"));

        DescribeTransformJobResponse single = cloud.awaitTransformJob("one-by-one");
        assertEquals(TransformJobStatus.FAILED, single.transformJobStatus());
        assertTrue(single.failureReason().startsWith("ClientError: s3://batch/rejected/b.csv: the model rejected the record at"
                + " line 4 with status 400: cannot read CSV"), single.failureReason());
        // The object that was transformed whole is there; nothing of the failed one is.
        assertEquals("12.5\n30.5\n", get("rejected-single/a.csv.out"));
        assertThrows(NoSuchKeyException.class, () -> get("rejected-single/b.csv.out"));

        DescribeTransformJobResponse multi = cloud.awaitTransformJob("all-at-once");
        assertEquals(TransformJobStatus.FAILED, multi.transformJobStatus());
        assertTrue(multi.failureReason().startsWith("ClientError: s3://batch/rejected/b.csv: the model rejected the records at"
                + " lines 1 to 5 with status 400"), multi.failureReason());
        assertEquals(List.of("rejected-multi/a.csv.out"), keys("rejected-multi/"));
    }

    @Test
    void aStoppedJobEndsStoppedAndARestartedServerFailsTheRunningOne() throws Exception {
        model("slow", Map.of("TEST_INVOCATION_DELAY_MS", "500"));
        put("slow/rows.csv", csv(rows(new Random(9), 200)));
        for (String name : List.of("stopped", "cut-short")) {
            cloud.sagemaker.createTransformJob(r -> r.transformJobName(name).modelName("slow").batchStrategy("SingleRecord")
                    .transformInput(i -> i.contentType("text/csv").splitType("Line")
                            .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://batch/slow/"))))
                    .transformOutput(o -> o.s3OutputPath("s3://batch/" + name + "-out"))
                    .transformResources(t -> t.instanceType("ml.m5.large").instanceCount(1)));
        }
        awaitStarted("stopped");
        awaitStarted("cut-short");
        cloud.sagemaker.stopTransformJob(r -> r.transformJobName("stopped"));
        assertTrue(List.of(TransformJobStatus.STOPPING, TransformJobStatus.STOPPED).contains(
                cloud.sagemaker.describeTransformJob(r -> r.transformJobName("stopped")).transformJobStatus()));
        DescribeTransformJobResponse stopped = cloud.awaitTransformJob("stopped");
        assertEquals(TransformJobStatus.STOPPED, stopped.transformJobStatus());
        assertTrue(stopped.transformEndTime() != null);
        assertEquals(List.of(), keys("stopped-out/"));
        SageMakerException again = assertThrows(SageMakerException.class,
                () -> cloud.sagemaker.stopTransformJob(r -> r.transformJobName("stopped")));
        assertTrue(again.awsErrorDetails().errorMessage().contains("is in status Stopped"), again.getMessage());

        long pid = pid("cut-short");
        cloud.close();
        cloud.start();
        DescribeTransformJobResponse cut = cloud.sagemaker.describeTransformJob(r -> r.transformJobName("cut-short"));
        assertEquals(TransformJobStatus.FAILED, cut.transformJobStatus());
        assertEquals(TransformJobs.RESTARTED, cut.failureReason());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the instance was stopped with the server");
        assertEquals(List.of(), keys("cut-short-out/"));
    }

    static void awaitStarted(String job) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(60);
        while (cloud.sagemaker.describeTransformJob(r -> r.transformJobName(job)).transformStartTime() == null) {
            assertTrue(Instant.now().isBefore(deadline), job + " did not start");
            Thread.sleep(50);
        }
    }

    static long pid(String job) throws IOException {
        try (Stream<Path> files = Files.walk(cloud.home().resolve("transform-jobs").resolve(job).resolve("runtime"))) {
            Path process = files.filter(f -> f.getFileName().toString().equals("process")).findFirst().orElseThrow();
            return Long.parseLong(Files.readString(process).split(" ")[0]);
        }
    }

    static List<String> keys(String prefix) {
        return cloud.s3.listObjectsV2(r -> r.bucket("batch").prefix(prefix)).contents().stream().map(S3Object::key).sorted().toList();
    }

    @Test
    void badRequestsAreRefusedSayingWhatToFix() {
        put("checks/rows.csv", "1,2,3\n");
        refused("Could not find model \"arn:aws:sagemaker:us-east-1:000000000000:model/nothing\". Create it with CreateModel"
                + " first, or fix ModelName.", r -> r.modelName("nothing"));
        refused("Value 'bucket/key' at 'transformInput.dataSource.s3DataSource.s3Uri' failed to satisfy constraint: Member must"
                + " be an S3 URI like s3://bucket/prefix", r -> r.transformInput(i -> i.dataSource(d -> d.s3DataSource(s -> s
                        .s3DataType("S3Prefix").s3Uri("bucket/key")))));
        refused("Value '101' at 'maxPayloadInMB' failed to satisfy constraint: Member must have value less than or equal to 100",
                r -> r.maxPayloadInMB(101));
        refused("MaxPayloadInMB 0 (records streamed with HTTP chunked encoding) is not supported locally: give a limit from 1"
                + " to 100", r -> r.maxPayloadInMB(0));
        refused("MaxConcurrentTransforms (4) x MaxPayloadInMB (50) is 200 MB, more than the 100 MB in flight an instance"
                + " allows: lower either", r -> r.maxPayloadInMB(50).maxConcurrentTransforms(4));
        refused("DataProcessing.InputFilter '$[1:' is not a JSONPath expression", r -> r.dataProcessing(p -> p.inputFilter("$[1:")));
        refused("SplitType RecordIO is not supported locally: use None or Line", r -> r.transformInput(i -> i.splitType("RecordIO")
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://batch/checks/")))));
        refused("S3DataType AugmentedManifestFile is not supported locally: use S3Prefix or ManifestFile", r -> r.transformInput(i -> i
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType("AugmentedManifestFile").s3Uri("s3://batch/checks/")))));
        refused("JoinSource Input joins CSV predictions to CSV input and JSON to JSON, and Accept application/jsonlines does not"
                + " match ContentType text/csv: set TransformOutput.Accept to text/csv", r -> r.dataProcessing(p -> p
                        .joinSource("Input")).transformOutput(o -> o.s3OutputPath("s3://batch/o").accept("application/jsonlines")));
        refused("DataProcessing works on CSV record by record, and SplitType None makes the whole object one record: set"
                + " TransformInput.SplitType to Line", r -> r.dataProcessing(p -> p.outputFilter("$[0]")).transformInput(i -> i
                        .contentType("text/csv").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://batch/checks/")))));
        refused("DataProcessing reads CSV and JSON records, and TransformInput.ContentType is text/libsvm: set it to text/csv,"
                + " application/json or application/jsonlines", r -> r.dataProcessing(p -> p.inputFilter("$[1:]")).transformInput(i -> i
                        .contentType("text/libsvm").splitType("Line").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                                .s3Uri("s3://batch/checks/")))));
        refused("Value '0' at 'transformResources.instanceCount' failed to satisfy constraint: Member must have value greater than"
                + " or equal to 1", r -> r.transformResources(t -> t.instanceType("ml.m5.large").instanceCount(0)));

        create("checked", "s3://batch/checks/", "s3://batch/checks-out", r -> { });
        SageMakerException taken = assertThrows(SageMakerException.class,
                () -> create("checked", "s3://batch/checks/", "s3://batch/checks-out", r -> { }));
        assertEquals("ResourceInUse", taken.awsErrorDetails().errorCode());
        SageMakerException missing = assertThrows(SageMakerException.class,
                () -> cloud.sagemaker.describeTransformJob(r -> r.transformJobName("no-such-job")));
        assertEquals("ValidationException", missing.awsErrorDetails().errorCode());
    }

    /** A job that differs from a valid one by {@code change} is refused with a ValidationException saying {@code expected}. */
    static void refused(String expected, Consumer<CreateTransformJobRequest.Builder> change) {
        SageMakerException e = assertThrows(SageMakerException.class,
                () -> create("refused", "s3://batch/checks/", "s3://batch/checks-out", change));
        assertEquals("ValidationException", e.awsErrorDetails().errorCode(), e.toString());
        assertTrue(e.awsErrorDetails().errorMessage().contains(expected), e.awsErrorDetails().errorMessage());
        assertEquals(1, e.awsErrorDetails().errorMessage().lines().count());
    }
}
