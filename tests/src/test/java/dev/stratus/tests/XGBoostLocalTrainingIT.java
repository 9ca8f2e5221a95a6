package dev.stratus.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

    private static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    private static final String XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";

    @TempDir
    Path home;
    @TempDir
    Path work;
    private LocalCloudProcess cloud;

    @BeforeEach
    void startLocalCloud() throws Exception {
        cloud = LocalCloudProcess.start(home, work);
    }

    @AfterEach
    void stopLocalCloud() {
        cloud.close();
    }

    private Jupyter.ProcessResult aws(String... args) {
        return cloud.aws(args);
    }

    @Test
    void xgboostTrainsFromCsvWithSageMakersImageUriLogsItsRoundsAndServes() throws Exception {
        upload(1, 7);
        create("xgb-local", 1);

        JsonObject described = awaitEnd("xgb-local");
        assertEquals("Completed", described.get("TrainingJobStatus").getAsString(), described.toString());
        double rmse = validationRmse(described);
        assertTrue(rmse < 0.2, "validation RMSE " + rmse);
        Jupyter.ProcessResult model = aws("s3", "ls", "s3://xgb/output/xgb-local/output/");
        assertTrue(model.stdout().contains("model.tar.gz"), model.stdout());

        deployAndInvoke(Files.readString(work.resolve("data/validation/validation.csv")));

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

    /** The trained model behind an endpoint, all through the AWS CLI: create, invoke, reweight, update, delete. */
    private void deployAndInvoke(String validationCsv) throws Exception {
        cloud.awsJson("sagemaker", "create-model", "--model-name", "xgb-local", "--execution-role-arn", ROLE,
                "--primary-container", "Image=" + XGBOOST_IMAGE + ",ModelDataUrl=s3://xgb/output/xgb-local/output/model.tar.gz");
        cloud.awsJson("sagemaker", "create-endpoint-config", "--endpoint-config-name", "xgb-1", "--production-variants",
                "VariantName=AllTraffic,ModelName=xgb-local,InitialInstanceCount=1,InstanceType=ml.m5.large");
        cloud.awsJson("sagemaker", "create-endpoint", "--endpoint-name", "xgb", "--endpoint-config-name", "xgb-1");
        awaitEndpoint("xgb", "InService");

        // The validation rows without their label, as a client sends them.
        List<String> rows = validationCsv.lines().toList();
        StringBuilder features = new StringBuilder();
        StringBuilder instances = new StringBuilder("{\"instances\": [");
        for (int i = 0; i < rows.size(); i++) {
            String featureColumns = rows.get(i).substring(rows.get(i).indexOf(',') + 1);
            features.append(featureColumns).append('\n');
            instances.append(i == 0 ? "" : ",").append("{\"features\": [").append(featureColumns).append("]}");
        }
        Files.writeString(work.resolve("features.csv"), features);
        Files.writeString(work.resolve("instances.json"), instances.append("]}"));

        JsonObject answer = cloud.awsJson("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "xgb", "--content-type", "text/csv",
                "--body", "fileb://" + work.resolve("features.csv"), work.resolve("scores.csv").toString());
        assertEquals("text/csv", answer.get("ContentType").getAsString());
        assertEquals("AllTraffic", answer.get("InvokedProductionVariant").getAsString());
        List<String> scores = Files.readAllLines(work.resolve("scores.csv"));
        assertEquals(rows.size(), scores.size());
        double squares = 0;
        for (int i = 0; i < rows.size(); i++) {
            double error = Double.parseDouble(scores.get(i)) - Double.parseDouble(rows.get(i).split(",")[0]);
            squares += error * error;
        }
        assertTrue(Math.sqrt(squares / rows.size()) < 0.2, "served RMSE " + Math.sqrt(squares / rows.size()));

        JsonObject json = cloud.awsJson("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "xgb", "--content-type",
                "application/json", "--accept", "application/json", "--body", "fileb://" + work.resolve("instances.json"),
                work.resolve("scores.json").toString());
        assertEquals("application/json", json.get("ContentType").getAsString());
        JsonArray predictions = JsonParser.parseString(Files.readString(work.resolve("scores.json"))).getAsJsonObject()
                .getAsJsonArray("predictions");
        assertEquals(Float.parseFloat(scores.get(3)), predictions.get(3).getAsJsonObject().get("score").getAsFloat());

        Jupyter.ProcessResult refused = aws("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "xgb", "--content-type",
                "image/png", "--body", "fileb://" + work.resolve("features.csv"), work.resolve("refused.out").toString());
        // The CLI's exit code for an error answered by the service.
        assertEquals(254, refused.exitCode(), refused.stdout() + refused.stderr());
        assertTrue(refused.stderr().contains("ModelError") && refused.stderr().contains("Content-Type image/png is not supported"),
                refused.stdout() + refused.stderr());

        cloud.awsJson("sagemaker", "update-endpoint-weights-and-capacities", "--endpoint-name", "xgb",
                "--desired-weights-and-capacities", "VariantName=AllTraffic,DesiredWeight=2,DesiredInstanceCount=2");
        JsonObject reweighted = awaitEndpoint("xgb", "InService");
        JsonObject variant = reweighted.getAsJsonArray("ProductionVariants").get(0).getAsJsonObject();
        assertEquals(2.0, variant.get("CurrentWeight").getAsDouble());
        assertEquals(2, variant.get("CurrentInstanceCount").getAsInt());

        cloud.awsJson("sagemaker", "create-endpoint-config", "--endpoint-config-name", "xgb-2", "--production-variants",
                "VariantName=Blue,ModelName=xgb-local,InitialInstanceCount=1,InstanceType=ml.m5.large");
        cloud.awsJson("sagemaker", "update-endpoint", "--endpoint-name", "xgb", "--endpoint-config-name", "xgb-2");
        JsonObject updated = awaitEndpoint("xgb", "InService");
        assertEquals("xgb-2", updated.get("EndpointConfigName").getAsString());
        assertEquals("Blue", cloud.awsJson("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "xgb", "--content-type", "text/csv",
                "--body", "fileb://" + work.resolve("features.csv"), work.resolve("blue.csv").toString())
                .get("InvokedProductionVariant").getAsString());

        assertEquals(0, aws("sagemaker", "delete-endpoint", "--endpoint-name", "xgb").exitCode());
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (!cloud.awsJson("sagemaker", "list-endpoints").getAsJsonArray("Endpoints").isEmpty()) {
            assertTrue(Instant.now().isBefore(deadline), "the endpoint was not deleted");
            Thread.sleep(200);
        }
        assertEquals(0, aws("sagemaker", "delete-endpoint-config", "--endpoint-config-name", "xgb-1").exitCode());
        assertEquals(0, aws("sagemaker", "delete-model", "--model-name", "xgb-local").exitCode());
    }

    private JsonObject awaitEndpoint(String name, String status) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (true) {
            JsonObject endpoint = cloud.awsJson("sagemaker", "describe-endpoint", "--endpoint-name", name);
            String current = endpoint.get("EndpointStatus").getAsString();
            if (current.equals(status)) {
                return endpoint;
            }
            assertTrue(!current.equals("Failed") && Instant.now().isBefore(deadline), endpoint.toString());
            Thread.sleep(200);
        }
    }
}
