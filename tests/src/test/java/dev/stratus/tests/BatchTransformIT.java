package dev.stratus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import dev.stratus.algorithms.serving.InferenceRequest;
import dev.stratus.algorithms.xgboost.XGBoostInference;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sagemaker.model.CreateTransformJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTransformJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TransformJobStatus;

/**
 * Batch transform with SageMaker's XGBoost image URI, run by the built image, driven by the AWS SDK as against
 * SageMaker: every combination a notebook reaches for, each output checked record by record against the same model's
 * predictions made in this process.
 */
class BatchTransformIT {

    private static final String XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
    private static final int FEATURES = 4;

    @TempDir
    static Path home;
    @TempDir
    static Path work;
    static LocalCloudFixture cloud;
    static XGBoostInference inProcess;

    @BeforeAll
    static void start() throws Exception {
        cloud = LocalCloudFixture.withBuiltInImages(home, Jupyter.repoRoot().resolve("algorithms/target/images"));
        Path modelDir = work.resolve("model");
        XGBoostModels.train(modelDir, FEATURES);
        inProcess = new XGBoostInference();
        inProcess.load(modelDir);
        cloud.s3.createBucket(r -> r.bucket("batch"));
        cloud.s3.putObject(r -> r.bucket("batch").key("model/model.tar.gz"), RequestBody.fromBytes(XGBoostModels.tarGz(modelDir)));
        cloud.sagemaker.createModel(r -> r.modelName("xgb").executionRoleArn(LocalCloudFixture.ROLE)
                .primaryContainer(c -> c.image(XGBOOST).modelDataUrl("s3://batch/model/model.tar.gz")));
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void csvAndJsonLinesWithFiltersAndJoins() throws Exception {
        Random random = new Random(3);
        List<float[]> rows = rows(random, 3000);
        // CSV with an id first: the model gets the features ($[1:]); the output keeps the id and the prediction ($[0,-1]).
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            csv.append("id-").append(i).append(',').append(features(rows.get(i))).append('\n');
        }
        put("csv/rows.csv", csv.toString());
        create("csv-joined", "s3://batch/csv/", "text/csv", r -> r.batchStrategy("MultiRecord").maxPayloadInMB(1)
                .transformOutput(o -> o.s3OutputPath("s3://batch/csv-joined").accept("text/csv").assembleWith("Line"))
                .dataProcessing(p -> p.inputFilter("$[1:]").joinSource("Input").outputFilter("$[0,-1]")));

        // JSON Lines: the model gets "features"; each record keeps its id and gets the prediction under SageMakerOutput.
        StringBuilder jsonLines = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            jsonLines.append("{\"id\": ").append(i).append(", \"features\": [").append(features(rows.get(i))).append("]}\n");
        }
        put("jsonl/rows.jsonl", jsonLines.toString());
        create("jsonl-joined", "s3://batch/jsonl/", "application/jsonlines", r -> r.batchStrategy("MultiRecord")
                .transformOutput(o -> o.s3OutputPath("s3://batch/jsonl-joined").accept("application/jsonlines").assembleWith("Line"))
                .dataProcessing(p -> p.inputFilter("$.features").joinSource("Input").outputFilter("$['id','SageMakerOutput']")));

        // One record a request, and of each JSON prediction only its score.
        List<float[]> few = rows.subList(0, 50);
        StringBuilder plain = new StringBuilder();
        few.forEach(row -> plain.append(features(row)).append('\n'));
        put("single/rows.csv", plain.toString());
        create("single", "s3://batch/single/", "text/csv", r -> r.batchStrategy("SingleRecord")
                .transformOutput(o -> o.s3OutputPath("s3://batch/single").accept("application/jsonlines").assembleWith("Line"))
                .dataProcessing(p -> p.outputFilter("$.score")));

        awaitCompleted("csv-joined");
        List<String> scores = scores(rows);
        List<String> joined = get("csv-joined/rows.csv.out").lines().toList();
        assertEquals(rows.size(), joined.size());
        for (int i = 0; i < rows.size(); i++) {
            assertEquals("id-" + i + "," + scores.get(i), joined.get(i), "record " + (i + 1));
        }

        awaitCompleted("jsonl-joined");
        List<String> records = get("jsonl-joined/rows.jsonl.out").lines().toList();
        assertEquals(rows.size(), records.size());
        for (int i = 0; i < rows.size(); i++) {
            JsonObject record = JsonParser.parseString(records.get(i)).getAsJsonObject();
            assertEquals(List.of("id", "SageMakerOutput"), List.copyOf(record.keySet()), records.get(i));
            assertEquals(i, record.get("id").getAsInt());
            assertEquals(Float.parseFloat(scores.get(i)), record.getAsJsonObject("SageMakerOutput").get("score").getAsFloat(),
                    "record " + (i + 1));
        }

        awaitCompleted("single");
        List<String> single = get("single/rows.csv.out").lines().toList();
        assertEquals(few.size(), single.size());
        for (int i = 0; i < few.size(); i++) {
            assertEquals(Float.parseFloat(scores.get(i)), Float.parseFloat(single.get(i)), "record " + (i + 1));
        }
    }

    @Test
    void gzipAManifestAndTwoInstancesSharingTheObjects() throws Exception {
        Random random = new Random(4);
        List<float[]> zipped = rows(random, 2000);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(csv(zipped).getBytes(StandardCharsets.UTF_8));
        }
        cloud.s3.putObject(r -> r.bucket("batch").key("gz/rows.csv.gz"), RequestBody.fromBytes(gz.toByteArray()));
        create("gzipped", "s3://batch/gz/", "text/csv", r -> r.transformInput(i -> i.contentType("text/csv").splitType("Line")
                .compressionType("Gzip").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://batch/gz/"))))
                .transformOutput(o -> o.s3OutputPath("s3://batch/gzipped").assembleWith("Line")));

        List<List<float[]>> parts = new ArrayList<>();
        for (int part = 0; part < 4; part++) {
            List<float[]> rows = rows(random, 200 + 100 * part);
            parts.add(rows);
            put("parts/part-" + part + ".csv", csv(rows));
        }
        put("manifests/two.json", "[{\"prefix\": \"s3://batch/parts/\"}, \"part-1.csv\", \"part-3.csv\"]");
        create("listed", "s3://batch/manifests/two.json", "text/csv", r -> r.transformInput(i -> i.contentType("text/csv")
                .splitType("Line").dataSource(d -> d.s3DataSource(s -> s.s3DataType("ManifestFile").s3Uri("s3://batch/manifests/two.json"))))
                .transformOutput(o -> o.s3OutputPath("s3://batch/listed").assembleWith("Line")));
        create("shared", "s3://batch/parts/", "text/csv", r -> r.batchStrategy("MultiRecord").maxConcurrentTransforms(2)
                .transformResources(t -> t.instanceType("ml.m5.large").instanceCount(2))
                .transformOutput(o -> o.s3OutputPath("s3://batch/shared").assembleWith("Line")));

        awaitCompleted("gzipped");
        assertEquals(lines(scores(zipped)), get("gzipped/rows.csv.gz.out"));
        awaitCompleted("listed");
        assertEquals(lines(scores(parts.get(1))), get("listed/part-1.csv.out"));
        assertEquals(lines(scores(parts.get(3))), get("listed/part-3.csv.out"));
        assertThrows(NoSuchKeyException.class, () -> get("listed/part-0.csv.out"));
        awaitCompleted("shared");
        for (int part = 0; part < 4; part++) {
            assertEquals(lines(scores(parts.get(part))), get("shared/part-" + part + ".csv.out"), "part " + part);
        }
        // Both instances took objects: each one's data log names those it transformed.
        List<String> dataLogs = cloud.logs.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/TransformJobs")
                .logStreamNamePrefix("shared/")).logStreams().stream().map(s -> s.logStreamName())
                .filter(s -> s.endsWith("/data-log")).toList();
        assertEquals(2, dataLogs.size(), dataLogs.toString());
        for (String stream : dataLogs) {
            assertTrue(cloud.logs.getLogEvents(r -> r.logGroupName("/aws/sagemaker/TransformJobs").logStreamName(stream)
                    .startFromHead(true)).events().stream().anyMatch(e -> e.message().contains("records transformed into")), stream);
        }
    }

    @Test
    void aRecordTheModelRejectsFailsTheJobNamingTheObjectAndTheRecord() throws Exception {
        List<float[]> rows = rows(new Random(5), 100);
        StringBuilder csv = new StringBuilder(csv(rows.subList(0, 56)));
        csv.append("0.1,0.2,0.3\n").append(csv(rows.subList(56, 100)));
        put("bad/rows.csv", csv.toString());
        create("rejected", "s3://batch/bad/", "text/csv", r -> r.batchStrategy("MultiRecord")
                .transformOutput(o -> o.s3OutputPath("s3://batch/rejected").assembleWith("Line")));
        DescribeTransformJobResponse job = cloud.awaitTransformJob("rejected");
        assertEquals(TransformJobStatus.FAILED, job.transformJobStatus());
        assertEquals("ClientError: s3://batch/bad/rows.csv: the model rejected the record at line 57 (record 57 of a request"
                + " of 101) with status 400: record 57: expected 4 features, as the model was trained on, got 3", job.failureReason());
        assertThrows(NoSuchKeyException.class, () -> get("rejected/rows.csv.out"));
    }

    private static void create(String name, String input, String contentType, Consumer<CreateTransformJobRequest.Builder> more) {
        cloud.sagemaker.createTransformJob(r -> {
            r.transformJobName(name).modelName("xgb")
                    .transformInput(i -> i.contentType(contentType).splitType("Line")
                            .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri(input))))
                    .transformResources(t -> t.instanceType("ml.m5.large").instanceCount(1));
            more.accept(r);
        });
    }

    private static void awaitCompleted(String name) throws InterruptedException {
        DescribeTransformJobResponse job = cloud.awaitTransformJob(name);
        assertEquals(TransformJobStatus.COMPLETED, job.transformJobStatus(), name + ": " + job.failureReason());
    }

    private static void put(String key, String text) {
        cloud.s3.putObject(r -> r.bucket("batch").key(key), RequestBody.fromString(text));
    }

    private static String get(String key) {
        return cloud.s3.getObjectAsBytes(r -> r.bucket("batch").key(key)).asUtf8String();
    }

    /** The same model's scores for {@code rows}, predicted in this process as the built-in's handler predicts them. */
    private static List<String> scores(List<float[]> rows) throws Exception {
        return inProcess.invoke(InferenceRequest.of(csv(rows), "text/csv", "text/csv")).text().lines().toList();
    }

    private static String lines(List<String> values) {
        return String.join("\n", values) + "\n";
    }

    private static List<float[]> rows(Random random, int count) {
        List<float[]> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] row = new float[FEATURES];
            for (int j = 0; j < FEATURES; j++) {
                row[j] = random.nextFloat();
            }
            rows.add(row);
        }
        return rows;
    }

    private static String features(float[] row) {
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < row.length; j++) {
            text.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%s", row[j]));
        }
        return text.toString();
    }

    private static String csv(List<float[]> rows) {
        StringBuilder csv = new StringBuilder();
        rows.forEach(row -> csv.append(features(row)).append('\n'));
        return csv.toString();
    }
}
