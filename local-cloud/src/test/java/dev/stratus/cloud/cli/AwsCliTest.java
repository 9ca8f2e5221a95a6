package dev.stratus.cloud.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.testing.AwsCli;
import dev.stratus.cloud.testing.AwsCli.Result;
import dev.stratus.cloud.testing.LocalCloudFixture;
import dev.stratus.cloud.testing.ModelArchives;
import software.amazon.awssdk.core.sync.RequestBody;

/** The same flows through Debian's AWS CLI (/usr/bin/aws), which knows nothing of Stratus. */
class AwsCliTest {

    @TempDir
    static Path work;
    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();
    static AwsCli cli;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(AwsCli.AWS), "the AWS CLI is installed by ./stratus test (apt-get install awscli)");
        cli = new AwsCli(cloud, work);
    }

    static Result aws(String... args) throws Exception {
        return cli.run(args);
    }

    @Test
    void s3CommandsWork() throws Exception {
        assertEquals(0, aws("s3", "mb", "s3://cli-bucket").exitCode());
        Path file = Files.writeString(work.resolve("hello.txt"), "hello from the CLI\n");
        Result cp = aws("s3", "cp", file.toString(), "s3://cli-bucket/dir/hello.txt");
        assertEquals(0, cp.exitCode(), cp.stderr());
        Result ls = aws("s3", "ls", "s3://cli-bucket/dir/");
        assertTrue(ls.stdout().contains("hello.txt"), ls.stdout());
        Result down = aws("s3", "cp", "s3://cli-bucket/dir/hello.txt", work.resolve("back.txt").toString());
        assertEquals(0, down.exitCode(), down.stderr());
        assertEquals("hello from the CLI\n", Files.readString(work.resolve("back.txt")));
        assertEquals(0, aws("s3", "rm", "s3://cli-bucket/dir/hello.txt").exitCode());
        assertFalse(aws("s3", "ls", "s3://cli-bucket/dir/").stdout().contains("hello.txt"));
        Result escape = aws("s3api", "put-object", "--bucket", "cli-bucket", "--key", "../escape.txt", "--body", file.toString());
        assertTrue(escape.exitCode() != 0, "a key with .. is refused: " + escape.stdout());
        assertFalse(Files.exists(cloud.home().resolve("s3/escape.txt")));
    }

    @Test
    void trainingLogsAndMetricsWork() throws Exception {
        assertEquals(0, aws("s3", "mb", "s3://cli-train").exitCode());
        Path data = Files.writeString(work.resolve("data.csv"), "1,2\n3,4\n");
        assertEquals(0, aws("s3", "cp", data.toString(), "s3://cli-train/train/data.csv").exitCode());
        Path input = work.resolve("job.json");
        Files.writeString(input, """
                {
                  "TrainingJobName": "cli-job",
                  "RoleArn": "%s",
                  "AlgorithmSpecification": {"TrainingImage": "%s", "TrainingInputMode": "File",
                    "MetricDefinitions": [{"Name": "loss", "Regex": "loss=([0-9.]+)"}]},
                  "HyperParameters": {"epochs": "2"},
                  "InputDataConfig": [{"ChannelName": "train",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://cli-train/train/"}}}],
                  "OutputDataConfig": {"S3OutputPath": "s3://cli-train/output"},
                  "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
                  "StoppingCondition": {"MaxRuntimeInSeconds": 300}
                }
                """.formatted(LocalCloudFixture.ROLE, LocalCloudFixture.TEST_IMAGE));
        Result created = aws("sagemaker", "create-training-job", "--cli-input-json", "file://" + input);
        assertEquals(0, created.exitCode(), created.stderr());
        assertEquals("arn:aws:sagemaker:us-east-1:000000000000:training-job/cli-job", created.json().path("TrainingJobArn").asText());

        JsonNode job = null;
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        while (Instant.now().isBefore(deadline)) {
            job = aws("sagemaker", "describe-training-job", "--training-job-name", "cli-job").json();
            if (!job.path("TrainingJobStatus").asText().equals("InProgress")) {
                break;
            }
            Thread.sleep(300);
        }
        assertEquals("Completed", job.path("TrainingJobStatus").asText(), job.toString());
        assertEquals("s3://cli-train/output/cli-job/output/model.tar.gz", job.path("ModelArtifacts").path("S3ModelArtifacts").asText());

        JsonNode listed = aws("sagemaker", "list-training-jobs", "--name-contains", "cli-").json();
        assertEquals("cli-job", listed.path("TrainingJobSummaries").get(0).path("TrainingJobName").asText());

        String stream = aws("logs", "describe-log-streams", "--log-group-name", "/aws/sagemaker/TrainingJobs",
                "--log-stream-name-prefix", "cli-job/").json().path("logStreams").get(0).path("logStreamName").asText();
        JsonNode events = aws("logs", "get-log-events", "--log-group-name", "/aws/sagemaker/TrainingJobs",
                "--log-stream-name", stream, "--start-from-head").json().path("events");
        List<String> messages = new ArrayList<>();
        events.forEach(e -> messages.add(e.path("message").asText()));
        assertTrue(messages.contains("epoch=2 loss=0.5"), messages.toString());

        JsonNode stats = aws("cloudwatch", "get-metric-statistics", "--namespace", "/aws/sagemaker/TrainingJobs",
                "--metric-name", "loss", "--dimensions", "Name=TrainingJobName,Value=cli-job",
                "--start-time", Instant.now().minusSeconds(3600).toString(), "--end-time", Instant.now().plusSeconds(60).toString(),
                "--period", "3600", "--statistics", "Minimum", "Maximum").json();
        double min = Double.MAX_VALUE;
        double max = 0;
        for (JsonNode point : stats.path("Datapoints")) {
            min = Math.min(min, point.path("Minimum").asDouble());
            max = Math.max(max, point.path("Maximum").asDouble());
        }
        assertEquals(0.5, min, 1e-9, stats.toString());
        assertEquals(1.0, max, 1e-9, stats.toString());
    }

    @Test
    void endpointsWork() throws Exception {
        assertEquals(0, aws("s3", "mb", "s3://cli-models").exitCode());
        Path archive = Files.write(work.resolve("model.tar.gz"), ModelArchives.model(10, 0.5));
        assertEquals(0, aws("s3", "cp", archive.toString(), "s3://cli-models/model/model.tar.gz").exitCode());
        Result model = aws("sagemaker", "create-model", "--model-name", "cli-model", "--execution-role-arn", LocalCloudFixture.ROLE,
                "--primary-container", "Image=" + LocalCloudFixture.MODEL_SERVER_IMAGE + ",ModelDataUrl=s3://cli-models/model/model.tar.gz");
        assertEquals(0, model.exitCode(), model.stderr());
        assertEquals("arn:aws:sagemaker:us-east-1:000000000000:model/cli-model", model.json().path("ModelArn").asText());
        Result config = aws("sagemaker", "create-endpoint-config", "--endpoint-config-name", "cli-config", "--production-variants",
                "VariantName=AllTraffic,ModelName=cli-model,InitialInstanceCount=1,InstanceType=ml.m5.large");
        assertEquals(0, config.exitCode(), config.stderr());
        Result endpoint = aws("sagemaker", "create-endpoint", "--endpoint-name", "cli-endpoint", "--endpoint-config-name", "cli-config");
        assertEquals(0, endpoint.exitCode(), endpoint.stderr());
        assertEquals("arn:aws:sagemaker:us-east-1:000000000000:endpoint/cli-endpoint", endpoint.json().path("EndpointArn").asText());

        // Not `aws sagemaker wait endpoint-in-service`: it polls every 30 seconds.
        cloud.awaitEndpointSettled("cli-endpoint");
        JsonNode described = aws("sagemaker", "describe-endpoint", "--endpoint-name", "cli-endpoint").json();
        assertEquals("InService", described.path("EndpointStatus").asText(), described.toString());
        assertEquals(1, described.path("ProductionVariants").get(0).path("CurrentInstanceCount").asInt());

        Path input = Files.writeString(work.resolve("input.csv"), "1,2\n3,4\n");
        Path output = work.resolve("out.json");
        Result invoked = aws("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "cli-endpoint", "--content-type", "text/csv",
                "--custom-attributes", "from=cli", "--body", "fileb://" + input, output.toString());
        assertEquals(0, invoked.exitCode(), invoked.stderr());
        assertEquals("30.5\n70.5\n", Files.readString(output));
        assertEquals("AllTraffic", invoked.json().path("InvokedProductionVariant").asText(), invoked.stdout());
        assertEquals("text/csv", invoked.json().path("ContentType").asText());
        assertEquals("echo:from=cli", invoked.json().path("CustomAttributes").asText());

        Result missing = aws("sagemaker-runtime", "invoke-endpoint", "--endpoint-name", "no-such-endpoint", "--body", "fileb://" + input,
                output.toString());
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("(ValidationError)") && missing.stderr().contains("Endpoint no-such-endpoint of account"
                + " 000000000000 not found."), missing.stderr());
        assertEquals(0, aws("sagemaker", "delete-endpoint", "--endpoint-name", "cli-endpoint").exitCode());
    }

    @Test
    void transformJobWorks() throws Exception {
        // The model and data through the SDK, to keep the test short: the CLI's part here is batch transform.
        cloud.s3.createBucket(r -> r.bucket("cli-batch"));
        cloud.s3.putObject(r -> r.bucket("cli-batch").key("model/model.tar.gz"), RequestBody.fromBytes(ModelArchives.model(10, 0.5)));
        cloud.s3.putObject(r -> r.bucket("cli-batch").key("in/rows.csv"), RequestBody.fromString("7,1,2\n8,3,4\n"));
        cloud.sagemaker.createModel(r -> r.modelName("cli-batch-model").executionRoleArn(LocalCloudFixture.ROLE)
                .primaryContainer(c -> c.image(LocalCloudFixture.MODEL_SERVER_IMAGE).modelDataUrl("s3://cli-batch/model/model.tar.gz")));
        // The first column is an id: the model gets the rest, and each prediction is joined to its id.
        Path input = Files.writeString(work.resolve("transform.json"), """
                {"TransformJobName": "cli-transform", "ModelName": "cli-batch-model",
                 "BatchStrategy": "MultiRecord", "MaxPayloadInMB": 1,
                 "TransformInput": {"ContentType": "text/csv", "SplitType": "Line",
                   "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://cli-batch/in/"}}},
                 "TransformOutput": {"S3OutputPath": "s3://cli-batch/out", "Accept": "text/csv", "AssembleWith": "Line"},
                 "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
                 "DataProcessing": {"InputFilter": "$[1:]", "JoinSource": "Input", "OutputFilter": "$[0,-1]"}}
                """);
        Result created = aws("sagemaker", "create-transform-job", "--cli-input-json", "file://" + input);
        assertEquals(0, created.exitCode(), created.stderr());
        assertEquals("arn:aws:sagemaker:us-east-1:000000000000:transform-job/cli-transform",
                created.json().path("TransformJobArn").asText());

        cloud.awaitTransformJob("cli-transform");
        JsonNode job = aws("sagemaker", "describe-transform-job", "--transform-job-name", "cli-transform").json();
        assertEquals("Completed", job.path("TransformJobStatus").asText(), job.toString());
        assertEquals("Input", job.path("DataProcessing").path("JoinSource").asText());
        assertEquals("7,30.5\n8,70.5\n", cloud.s3.getObjectAsBytes(r -> r.bucket("cli-batch").key("out/rows.csv.out")).asUtf8String());

        JsonNode listed = aws("sagemaker", "list-transform-jobs", "--status-equals", "Completed", "--name-contains", "cli-").json();
        assertEquals("cli-transform", listed.path("TransformJobSummaries").get(0).path("TransformJobName").asText());
        Result stop = aws("sagemaker", "stop-transform-job", "--transform-job-name", "cli-transform");
        assertEquals(254, stop.exitCode());
        assertTrue(stop.stderr().contains("ValidationException") && stop.stderr().contains("is in status Completed"), stop.stderr());
    }

    @Test
    void stopTrainingJobWorks() throws Exception {
        assertEquals(0, aws("s3", "mb", "s3://cli-stop").exitCode());
        Path data = Files.writeString(work.resolve("stop.csv"), "1\n");
        assertEquals(0, aws("s3", "cp", data.toString(), "s3://cli-stop/train/stop.csv").exitCode());
        Path input = work.resolve("stop.json");
        Files.writeString(input, """
                {"TrainingJobName": "cli-stop", "RoleArn": "%s",
                 "AlgorithmSpecification": {"TrainingImage": "%s", "TrainingInputMode": "File"},
                 "HyperParameters": {"sleep_seconds": "60"},
                 "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://cli-stop/train/"}}}],
                 "OutputDataConfig": {"S3OutputPath": "s3://cli-stop/output"},
                 "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 1},
                 "StoppingCondition": {"MaxRuntimeInSeconds": 300}}
                """.formatted(LocalCloudFixture.ROLE, LocalCloudFixture.TEST_IMAGE));
        assertEquals(0, aws("sagemaker", "create-training-job", "--cli-input-json", "file://" + input).exitCode());
        cloud.awaitJob("cli-stop", j -> j.secondaryStatusAsString().equals("Training"), Duration.ofSeconds(60));
        Result stop = aws("sagemaker", "stop-training-job", "--training-job-name", "cli-stop");
        assertEquals(0, stop.exitCode(), stop.stderr());
        assertEquals("Stopped", cloud.awaitEnd("cli-stop").trainingJobStatusAsString());

        Result missing = aws("sagemaker", "describe-training-job", "--training-job-name", "no-such-job");
        assertEquals(254, missing.exitCode());
        assertTrue(missing.stderr().contains("ValidationException"), missing.stderr());
    }
}
