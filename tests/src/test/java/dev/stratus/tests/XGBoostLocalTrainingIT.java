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
        Random random = new Random(7);
        StringBuilder train = new StringBuilder();
        StringBuilder validation = new StringBuilder();
        for (int i = 0; i < 600; i++) {
            double x1 = random.nextDouble();
            double x2 = random.nextDouble();
            double y = 3 * x1 - 2 * x2 + random.nextGaussian() * 0.05;
            (i < 500 ? train : validation).append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f%n", y, x1, x2));
        }
        Files.writeString(work.resolve("train.csv"), train);
        Files.writeString(work.resolve("validation.csv"), validation);
        assertEquals(0, aws("s3", "mb", "s3://xgb").exitCode());
        assertEquals(0, aws("s3", "cp", work.resolve("train.csv").toString(), "s3://xgb/train/train.csv").exitCode());
        assertEquals(0, aws("s3", "cp", work.resolve("validation.csv").toString(), "s3://xgb/validation/validation.csv").exitCode());

        Path job = work.resolve("job.json");
        Files.writeString(job, """
                {"TrainingJobName": "xgb-local",
                 "RoleArn": "arn:aws:iam::000000000000:role/SageMakerRole",
                 "AlgorithmSpecification": {"TrainingImage": "%s", "TrainingInputMode": "File",
                   "MetricDefinitions": [{"Name": "validation:rmse", "Regex": ".*\\\\[[0-9]+\\\\].*#011validation-rmse:(\\\\S+)"}]},
                 "HyperParameters": {"objective": "reg:squarederror", "num_round": "40", "max_depth": "4", "eta": "0.3"},
                 "InputDataConfig": [
                   {"ChannelName": "train", "ContentType": "text/csv",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://xgb/train/"}}},
                   {"ChannelName": "validation", "ContentType": "text/csv",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://xgb/validation/"}}}],
                 "OutputDataConfig": {"S3OutputPath": "s3://xgb/output"},
                 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
                 "StoppingCondition": {"MaxRuntimeInSeconds": 600}}
                """.formatted(XGBOOST_IMAGE));
        Jupyter.ProcessResult created = aws("sagemaker", "create-training-job", "--cli-input-json", "file://" + job);
        assertEquals(0, created.exitCode(), created.outputTail());

        JsonObject described = null;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            described = JsonParser.parseString(aws("sagemaker", "describe-training-job", "--training-job-name", "xgb-local")
                    .stdout()).getAsJsonObject();
            if (!described.get("TrainingJobStatus").getAsString().equals("InProgress")) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("Completed", described.get("TrainingJobStatus").getAsString(), described.toString());
        double rmse = described.getAsJsonArray("FinalMetricDataList").get(0).getAsJsonObject().get("Value").getAsDouble();
        assertTrue(rmse < 0.2, "validation RMSE " + rmse);
        Jupyter.ProcessResult model = aws("s3", "ls", "s3://xgb/output/xgb-local/output/");
        assertTrue(model.stdout().contains("model.tar.gz"), model.stdout());

        Jupyter.ProcessResult failing = aws("sagemaker", "create-training-job", "--cli-input-json", "file://" + job,
                "--training-job-name", "xgb-bad", "--hyper-parameters", "num_round=40,eta=fast");
        assertEquals(0, failing.exitCode(), failing.outputTail());
        JsonObject bad = null;
        deadline = Instant.now().plus(Duration.ofMinutes(2));
        while (Instant.now().isBefore(deadline)) {
            bad = JsonParser.parseString(aws("sagemaker", "describe-training-job", "--training-job-name", "xgb-bad").stdout())
                    .getAsJsonObject();
            if (!bad.get("TrainingJobStatus").getAsString().equals("InProgress")) {
                break;
            }
            Thread.sleep(500);
        }
        assertEquals("Failed", bad.get("TrainingJobStatus").getAsString());
        assertTrue(bad.get("FailureReason").getAsString().startsWith("ClientError: Hyperparameter eta"), bad.toString());
    }
}
