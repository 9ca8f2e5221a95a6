package dev.stratus.tests.bench;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import dev.stratus.algorithms.serving.InferenceRequest;
import dev.stratus.algorithms.xgboost.XGBoostInference;
import dev.stratus.algorithms.xgboost.XGBoostTrainer;
import dev.stratus.cloud.endpoints.ModelArchive;
import dev.stratus.tests.XGBoostModels;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeTransformJobResponse;
import software.amazon.awssdk.services.sagemaker.model.TransformJobStatus;

/**
 * Batch transform of a CSV of {@code rows} x 20 features with an XGBoost model (SageMaker's image URI, one instance,
 * MultiRecord, 6 MB requests, the concurrency the model server reports) against predicting the same rows in this process
 * on every core, two ways: XGBoost4J called directly (the CSV file read into a {@code DMatrix} and predicted, as
 * xgboost-training.sh's baseline trains), which the target is measured against; and the model server's own handler, in
 * the same 6 MB requests (its CSV reader is faster than XGBoost's, so this is the stricter ratio). Each run measures
 * both in-process ways right before and right after the job and takes the means, so that all sides see about the same
 * load on a shared machine; the report gives medians over runs. Before the runs, each in-process way is warmed up once and
 * the local cloud by three unmeasured jobs; every job starts a fresh model server.
 *
 * <p>Run by bench/batch-transform.sh, with the local cloud's settings (./stratus local env) in the environment.
 * Arguments: rows, runs.
 */
public final class BatchTransformBench {

    private static final String IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
    private static final int FEATURES = 20;
    private static final int PAYLOAD = 6 * 1024 * 1024;

    private BatchTransformBench() {
    }

    public static void main(String[] args) throws Exception {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path work = Files.createTempDirectory("batch-transform-bench");
        try {
            run(work.resolve("model"), rows, runs, URI.create(System.getenv("AWS_ENDPOINT_URL")));
        } finally {
            ModelArchive.delete(work);
        }
    }

    private static void run(Path modelDir, int rows, int runs, URI endpoint) throws Exception {
        XGBoostModels.train(modelDir, FEATURES);
        byte[] data = csv(rows);
        List<byte[]> requests = requests(data);
        XGBoostInference handler = new XGBoostInference();
        handler.load(modelDir);
        Path file = modelDir.resolveSibling("rows.csv");
        Files.write(file, data);
        Booster booster;
        try (InputStream in = Files.newInputStream(modelDir.resolve(XGBoostTrainer.MODEL_FILE))) {
            booster = XGBoost.loadModel(in); // XGBoost's defaults: every core
        }

        try (S3Client s3 = S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(EnvironmentVariableCredentialsProvider.create()).build();
             SageMakerClient sagemaker = SageMakerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                     .credentialsProvider(EnvironmentVariableCredentialsProvider.create()).build()) {
            s3.createBucket(b -> b.bucket("transform-bench"));
            s3.putObject(p -> p.bucket("transform-bench").key("model.tar.gz"), RequestBody.fromBytes(XGBoostModels.tarGz(modelDir)));
            s3.putObject(p -> p.bucket("transform-bench").key("input/rows.csv"), RequestBody.fromBytes(data));
            sagemaker.createModel(m -> m.modelName("bench").executionRoleArn("arn:aws:iam::000000000000:role/SageMakerRole")
                    .primaryContainer(c -> c.image(IMAGE).modelDataUrl("s3://transform-bench/model.tar.gz")));
            System.out.printf(Locale.ROOT, "batch transform bench: XGBoost (50 trees, depth 6), %d rows x %d features (%.0f MB of"
                    + " CSV), %d requests of up to 6 MB, %d runs, %d cores%n", rows, FEATURES, data.length / 1e6, requests.size(), runs,
                    Runtime.getRuntime().availableProcessors());
            // All sides warmed up: the in-process ways' JIT here, and the local cloud's (a long-running server) by three jobs
            // that are not measured (on these cores its CPU a job stopped falling after about three). Each job still starts a
            // model server of its own, as on SageMaker.
            sameScores(inProcess(handler, requests), xgboost4jScores(booster, file));
            for (int job = 1; job <= 3; job++) {
                await(sagemaker, transform(sagemaker, "bench-warm-up-" + job));
            }
            double[] direct = new double[runs];
            double[] local = new double[runs];
            double[] job = new double[runs];
            double[] transforming = new double[runs];
            String expected = null;
            for (int run = 0; run < runs; run++) {
                double directBefore = xgboost4j(booster, file, rows);
                long start = System.nanoTime();
                String answers = inProcess(handler, requests);
                double before = rows / ((System.nanoTime() - start) / 1e9);
                expected = expected == null ? answers : expected;

                String name = transform(sagemaker, "bench-" + run);
                DescribeTransformJobResponse done = await(sagemaker, name);
                // The server's own timestamps: from the request to the last object written, and the transforming alone.
                job[run] = rows / seconds(done.creationTime(), done.transformEndTime());
                transforming[run] = rows / seconds(done.transformStartTime(), done.transformEndTime());
                String output = s3.getObjectAsBytes(g -> g.bucket("transform-bench").key("output/" + name + "/rows.csv.out")).asUtf8String();
                if (!output.equals(expected)) {
                    throw new IllegalStateException(name + ": the transform's output differs from the in-process predictions");
                }
                start = System.nanoTime();
                inProcess(handler, requests);
                local[run] = (before + rows / ((System.nanoTime() - start) / 1e9)) / 2;
                direct[run] = (directBefore + xgboost4j(booster, file, rows)) / 2;
                System.out.printf(Locale.ROOT, "run %d: in-process XGBoost4J %.0f rows/s, in-process handler %.0f rows/s, transform job"
                        + " %.0f rows/s (transforming %.0f rows/s, MaxConcurrentTransforms %d)%n", run + 1, direct[run], local[run],
                        job[run], transforming[run], done.maxConcurrentTransforms());
            }
            System.out.printf(Locale.ROOT, "medians: in-process XGBoost4J %.0f rows/s, in-process handler %.0f rows/s; transform job"
                    + " %.0f rows/s = %.0f%% of in-process XGBoost4J (target >= 50%%), %.0f%% of the in-process handler; transforming"
                    + " only (TransformStartTime -> TransformEndTime) %.0f rows/s = %.0f%% and %.0f%%%n",
                    median(direct), median(local), median(job), 100 * median(job) / median(direct),
                    100 * median(job) / median(local), median(transforming), 100 * median(transforming) / median(direct),
                    100 * median(transforming) / median(local));
        }
    }

    /** XGBoost4J called directly on every core: the CSV file read into a DMatrix and predicted; returns rows/s. */
    private static double xgboost4j(Booster booster, Path file, int rows) throws XGBoostError {
        long start = System.nanoTime();
        float[][] scores = xgboost4jScores(booster, file);
        if (scores.length != rows) {
            throw new IllegalStateException("XGBoost4J predicted " + scores.length + " rows of " + rows);
        }
        return rows / ((System.nanoTime() - start) / 1e9);
    }

    private static float[][] xgboost4jScores(Booster booster, Path file) throws XGBoostError {
        DMatrix matrix = new DMatrix(file + "?format=csv");
        try {
            return booster.predict(matrix);
        } finally {
            matrix.dispose();
        }
    }

    /**
     * Both in-process ways predict the same: the handler's answer (a score a line) against XGBoost4J's scores, to within
     * what reading a decimal into a float may differ by between XGBoost's CSV reader and Java's.
     */
    private static void sameScores(String answers, float[][] scores) {
        String[] lines = answers.split("\n");
        if (lines.length != scores.length) {
            throw new IllegalStateException("the handler answered " + lines.length + " rows, XGBoost4J " + scores.length);
        }
        for (int i = 0; i < lines.length; i++) {
            if (Math.abs(Float.parseFloat(lines[i]) - scores[i][0]) > 1e-4f) {
                throw new IllegalStateException("row " + (i + 1) + ": the handler predicted " + lines[i] + ", XGBoost4J " + scores[i][0]);
            }
        }
    }

    /** Every request through the handler, on every core, the answers joined in order. */
    private static String inProcess(XGBoostInference handler, List<byte[]> requests) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (byte[] request : requests) {
                answers.add(threads.submit(() -> handler.invoke(new InferenceRequest(request, "text/csv", "text/csv",
                        Optional.empty())).text()));
            }
            StringBuilder all = new StringBuilder();
            for (Future<String> answer : answers) {
                all.append(answer.get());
            }
            return all.toString();
        } finally {
            threads.shutdown();
        }
    }

    /** Creates the transform job {@code name} of the rows with the bench's settings; returns its name. */
    private static String transform(SageMakerClient sagemaker, String name) {
        sagemaker.createTransformJob(r -> r.transformJobName(name).modelName("bench").batchStrategy("MultiRecord")
                .maxPayloadInMB(6)
                .transformInput(i -> i.contentType("text/csv").splitType("Line")
                        .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://transform-bench/input/"))))
                .transformOutput(o -> o.s3OutputPath("s3://transform-bench/output/" + name).accept("text/csv")
                        .assembleWith("Line"))
                .transformResources(t -> t.instanceType("ml.m5.xlarge").instanceCount(1)));
        return name;
    }

    private static DescribeTransformJobResponse await(SageMakerClient sagemaker, String name) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
        while (Instant.now().isBefore(deadline)) {
            DescribeTransformJobResponse job = sagemaker.describeTransformJob(d -> d.transformJobName(name));
            if (job.transformJobStatus() == TransformJobStatus.COMPLETED) {
                return job;
            }
            if (job.transformJobStatus() != TransformJobStatus.IN_PROGRESS) {
                throw new IllegalStateException(name + " " + job.transformJobStatus() + ": " + job.failureReason());
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " did not finish in 10 minutes");
    }

    /** Random features in [0, 1) with four decimals, as a data set exported for scoring looks. */
    private static byte[] csv(int rows) {
        Random random = new Random(2);
        ByteArrayOutputStream csv = new ByteArrayOutputStream(rows * FEATURES * 7);
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < rows; i++) {
            line.setLength(0);
            for (int j = 0; j < FEATURES; j++) {
                line.append(j == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", random.nextFloat()));
            }
            csv.writeBytes(line.append('\n').toString().getBytes(StandardCharsets.US_ASCII));
        }
        return csv.toByteArray();
    }

    /** The rows packed into requests of whole lines up to 6 MB, as MultiRecord packs them. */
    private static List<byte[]> requests(byte[] data) {
        List<byte[]> requests = new ArrayList<>();
        int start = 0;
        while (start < data.length) {
            int end = Math.min(start + PAYLOAD, data.length);
            while (end < data.length && data[end - 1] != '\n') {
                end--;
            }
            requests.add(Arrays.copyOfRange(data, start, end));
            start = end;
        }
        return requests;
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
