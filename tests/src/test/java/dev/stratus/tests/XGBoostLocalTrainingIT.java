package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.stratus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * SageMaker's own XGBoost image URI, trained by the local cloud that ./stratus local start runs,
 * driven by the AWS CLI exactly as one would drive SageMaker.
 */
class XGBoostLocalTrainingIT {

    private static final String XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";

    @TempDir
    Path home;
    @TempDir
    Path work;
    private String endpoint;
    private final Map<String, String> awsEnv = new HashMap<>();

    @BeforeEach
    void startLocalCloud() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Jupyter.ProcessResult start = stratus("local", "start", "--home", home.toString(), "--port", Integer.toString(port));
        assertEquals(0, start.exitCode(), start.outputTail());
        for (String line : stratus("local", "env", "--home", home.toString()).stdout().strip().split("\n")) {
            String assignment = line.replaceFirst("^export ", "");
            awsEnv.put(assignment.substring(0, assignment.indexOf('=')), assignment.substring(assignment.indexOf('=') + 1).replace("'", ""));
        }
        endpoint = awsEnv.get("AWS_ENDPOINT_URL");
        awsEnv.put("AWS_CONFIG_FILE", work.resolve("none").toString());
        awsEnv.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString());
    }

    @AfterEach
    void stopLocalCloud() {
        stratus("local", "stop", "--home", home.toString());
    }

    private Jupyter.ProcessResult aws(String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", endpoint, "--output", "json"));
        command.addAll(List.of(args));
        return Jupyter.exec(command, awsEnv, work, Duration.ofMinutes(2));
    }

    @Test
    void xgboostTrainsFromCsvWithSageMakersImageUriAndLogsItsRounds() throws Exception {
        upload(1, 7);
        create("xgb-local", 1);

        JsonObject described = awaitEnd("xgb-local");
        assertEquals("Completed", described.get("TrainingJobStatus").getAsString(), described.toString());
        double rmse = validationRmse(described);
        assertTrue(rmse < 0.2, "validation RMSE " + rmse);
        Jupyter.ProcessResult model = aws("s3", "ls", "s3://xgb/output/xgb-local/output/");
        assertTrue(model.stdout().contains("model.tar.gz"), model.stdout());

        create("xgb-bad", 1, "--hyper-parameters", "num_round=40,eta=fast");
        JsonObject bad = awaitEnd("xgb-bad");
        assertEquals("Failed", bad.get("TrainingJobStatus").getAsString());
        assertTrue(bad.get("FailureReason").getAsString().startsWith("ClientError: Hyperparameter eta"), bad.toString());
    }

    /** Several jobs side by side, so that the local cloud starts once and the machine's two cores stay busy. */
    @Test
    void twoInstancesTrainOneModelAsWellAsOneAndAnInstanceThatFailsFailsTheJob() throws Exception {
        // Two train objects: with ShardedByS3Key each of two instances gets one, a single instance both.
        upload(2, 8);
        create("xgb-one", 1);
        create("xgb-two", 2);
        create("xgb-two-bad", 2, "--hyper-parameters", "num_round=40,eta=fast");
        // Far more rounds than the test waits for: only the lost instance can end this job early.
        create("xgb-killed", 2, "--hyper-parameters", "num_round=1000000,max_depth=4");

        Path firstLog = home.resolve("jobs/xgb-killed/runtime/algo-1/output.log");
        Instant deadline = Instant.now().plusSeconds(60);
        while (!Files.exists(firstLog) || !Files.readString(firstLog).contains("[5]#011")) {
            assertTrue(Instant.now().isBefore(deadline), "no rounds in " + firstLog);
            Thread.sleep(50);
        }
        long pid = Long.parseLong(Files.readString(home.resolve("jobs/xgb-killed/runtime/algo-2/algorithm.pid")).strip());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        Instant killed = Instant.now();
        JsonObject killedJob = awaitEnd("xgb-killed");
        assertTrue(Duration.between(killed, Instant.now()).toSeconds() < 20, "the job took long to notice");
        assertEquals("Failed", killedJob.get("TrainingJobStatus").getAsString(), killedJob.toString());
        assertEquals("AlgorithmError: the algorithm on algo-2 was killed by signal 9 (SIGKILL)",
                killedJob.get("FailureReason").getAsString());

        // A bad hyperparameter fails every instance the same way: SageMaker's ClientError, not a hang.
        JsonObject bad = awaitEnd("xgb-two-bad");
        assertEquals("Failed", bad.get("TrainingJobStatus").getAsString());
        assertEquals("ClientError: Hyperparameter eta: 'fast' is not a number", bad.get("FailureReason").getAsString());

        JsonObject one = awaitEnd("xgb-one");
        JsonObject two = awaitEnd("xgb-two");
        assertEquals("Completed", one.get("TrainingJobStatus").getAsString(), one.toString());
        assertEquals("Completed", two.get("TrainingJobStatus").getAsString(), two.toString());
        System.out.printf("validation RMSE: one instance %.4f, two instances %.4f%n", validationRmse(one), validationRmse(two));
        assertEquals(validationRmse(one), validationRmse(two), 0.02);
        assertTrue(aws("s3", "ls", "s3://xgb/output/xgb-two/output/").stdout().contains("model.tar.gz"));

        JsonArray streams = JsonParser.parseString(aws("logs", "describe-log-streams", "--log-group-name",
                "/aws/sagemaker/TrainingJobs", "--log-stream-name-prefix", "xgb-two/").stdout()).getAsJsonObject().getAsJsonArray("logStreams");
        assertEquals(2, streams.size(), streams.toString());
        String first = streams.get(0).getAsJsonObject().get("logStreamName").getAsString();
        assertTrue(first.startsWith("xgb-two/algo-1-"), first);
        String firstHostLog = aws("logs", "get-log-events", "--log-group-name", "/aws/sagemaker/TrainingJobs", "--log-stream-name",
                first, "--start-from-head").stdout();
        assertTrue(firstHostLog.contains("Distributed node training with 2 hosts: ['algo-1', 'algo-2']"), firstHostLog);
        assertTrue(firstHostLog.contains("[39]#011train-rmse:"), firstHostLog);
    }

    /**
     * y = 3 x1 - 2 x2 + noise: 1000 train rows in {@code trainObjects} objects under s3://xgb/train/ and 200
     * validation rows in one object under s3://xgb/validation/.
     */
    private void upload(int trainObjects, long seed) throws Exception {
        Random random = new Random(seed);
        List<StringBuilder> train = new ArrayList<>();
        for (int i = 0; i < trainObjects; i++) {
            train.add(new StringBuilder());
        }
        StringBuilder validation = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            double x1 = random.nextDouble();
            double x2 = random.nextDouble();
            double y = 3 * x1 - 2 * x2 + random.nextGaussian() * 0.05;
            (i < 1000 ? train.get(i % trainObjects) : validation).append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f%n", y, x1, x2));
        }
        Path data = work.resolve("data");
        Files.createDirectories(data.resolve("train"));
        Files.createDirectories(data.resolve("validation"));
        for (int i = 0; i < trainObjects; i++) {
            Files.writeString(data.resolve("train/part-" + i + ".csv"), train.get(i));
        }
        Files.writeString(data.resolve("validation/validation.csv"), validation);
        assertEquals(0, aws("s3", "mb", "s3://xgb").exitCode());
        assertEquals(0, aws("s3", "cp", "--recursive", data.toString(), "s3://xgb/").exitCode());
    }

    /** CreateTrainingJob through the CLI: SageMaker's XGBoost on the uploaded data, with the CLI's {@code options} on top. */
    private void create(String name, int instances, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("sagemaker", "create-training-job", "--cli-input-json", "file://" + job(name, instances)));
        command.addAll(List.of(options));
        Jupyter.ProcessResult created = aws(command.toArray(String[]::new));
        assertEquals(0, created.exitCode(), created.outputTail());
    }

    /** The request, as the CLI's input JSON. */
    private Path job(String name, int instances) throws Exception {
        Path job = work.resolve(name + ".json");
        Files.writeString(job, """
                {"TrainingJobName": "%s",
                 "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
                 "AlgorithmSpecification": {"TrainingImage": "%s", "TrainingInputMode": "File",
                   "MetricDefinitions": [{"Name": "validation:rmse", "Regex": ".*\\\\[[0-9]+\\\\].*#011validation-rmse:(\\\\S+)"}]},
                 "HyperParameters": {"objective": "reg:squarederror", "num_round": "40", "max_depth": "4", "eta": "0.3"},
                 "InputDataConfig": [
                   {"ChannelName": "train", "ContentType": "text/csv",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://xgb/train/",
                                                    "S3DataDistributionType": "ShardedByS3Key"}}},
                   {"ChannelName": "validation", "ContentType": "text/csv",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://xgb/validation/",
                                                    "S3DataDistributionType": "FullyReplicated"}}}],
                 "OutputDataConfig": {"S3OutputPath": "s3://xgb/output"},
                 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": %d, "VolumeSizeInGB": 1},
                 "StoppingCondition": {"MaxRuntimeInSeconds": 600}}
                """.formatted(name, XGBOOST_IMAGE, instances));
        return job;
    }

    /** DescribeTrainingJob, polled until the job is no longer InProgress (three minutes at most). */
    private JsonObject awaitEnd(String name) throws InterruptedException {
        JsonObject described = null;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            described = JsonParser.parseString(aws("sagemaker", "describe-training-job", "--training-job-name", name).stdout())
                    .getAsJsonObject();
            if (!described.get("TrainingJobStatus").getAsString().equals("InProgress")) {
                return described;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("training job " + name + " still InProgress: " + described);
    }

    private static double validationRmse(JsonObject described) {
        return described.getAsJsonArray("FinalMetricDataList").get(0).getAsJsonObject().get("Value").getAsDouble();
    }
}
