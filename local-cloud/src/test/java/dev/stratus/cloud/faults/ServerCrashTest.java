package dev.stratus.cloud.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.LocalCloud;
import dev.stratus.cloud.state.ProcessRecord;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * The server process killed with SIGKILL while jobs run, then started again on the same home:
 * a job whose process still runs is re-attached and completes; one whose process died with the
 * server fails with a reason that says so; finished jobs, objects and logs are intact.
 */
class ServerCrashTest {

    @TempDir
    Path home;
    private Process server;

    @AfterEach
    void killServer() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    /** The local cloud as its own OS process, as ./stratus local start runs it. */
    private URI startServer() throws Exception {
        server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LocalCloud.class.getName(), "--port", "0", "--home", home.toString(),
                "--stop-grace-seconds", "3")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream()));
        for (String line; (line = out.readLine()) != null; ) {
            if (line.startsWith("ready ")) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return URI.create(line.substring("ready ".length()).strip());
            }
        }
        throw new AssertionError("the local cloud process ended before it was ready");
    }

    @Test
    void aKilledServerResolvesItsJobsHonestlyWhenItComesBack() throws Exception {
        new LocalCloudFixture(home).close(); // installs the test image and makes the credentials
        URI endpoint = startServer();
        CloudHome.Credentials credentials = new CloudHome(home).credentials();
        try (S3Client s3 = LocalCloudFixture.s3(endpoint, credentials);
             SageMakerClient sagemaker = LocalCloudFixture.sageMaker(endpoint, credentials)) {
            s3.createBucket(r -> r.bucket("crash"));
            s3.putObject(r -> r.bucket("crash").key("train/data.csv"), RequestBody.fromString("1,2\n"));
            sagemaker.createTrainingJob(job("finished-before", Map.of("epochs", "1")));
            sagemaker.createTrainingJob(job("survives", Map.of("epochs", "2", "sleep_seconds", "6")));
            sagemaker.createTrainingJob(job("dies-with-server", Map.of("sleep_seconds", "60")));
            await(sagemaker, "finished-before", j -> j.trainingJobStatusAsString().equals("Completed"));
            await(sagemaker, "survives", j -> j.secondaryStatusAsString().equals("Training"));
            await(sagemaker, "dies-with-server", j -> j.secondaryStatusAsString().equals("Training"));
        }

        server.destroyForcibly().waitFor();
        // This job's processes do not outlive the crash. The wrapper first: it would record the algorithm's end.
        ProcessRecord.find(home.resolve("jobs/dies-with-server/runtime/algo-1/wrapper")).ifPresent(ProcessHandle::destroyForcibly);
        long pid = Long.parseLong(Files.readString(home.resolve("jobs/dies-with-server/runtime/algo-1/algorithm.pid")).strip());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);

        endpoint = startServer();
        try (S3Client s3 = LocalCloudFixture.s3(endpoint, credentials);
             SageMakerClient sagemaker = LocalCloudFixture.sageMaker(endpoint, credentials);
             CloudWatchLogsClient logs = LocalCloudFixture.logs(endpoint, credentials)) {
            DescribeTrainingJobResponse survived = await(sagemaker, "survives", j -> !j.trainingJobStatusAsString().equals("InProgress"));
            assertEquals("Completed", survived.trainingJobStatusAsString(), survived.toString());
            assertEquals(0.5, survived.finalMetricDataList().get(0).value(), 1e-9);

            DescribeTrainingJobResponse died = await(sagemaker, "dies-with-server", j -> !j.trainingJobStatusAsString().equals("InProgress"));
            assertEquals("Failed", died.trainingJobStatusAsString());
            assertTrue(died.failureReason().contains("the process of algo-1 is gone"), died.failureReason());

            assertEquals("Completed", sagemaker.describeTrainingJob(r -> r.trainingJobName("finished-before")).trainingJobStatusAsString());
            assertEquals("1,2\n", s3.getObjectAsBytes(r -> r.bucket("crash").key("train/data.csv")).asUtf8String());
            List<String> lines = logs.filterLogEvents(r -> r.logGroupName("/aws/sagemaker/TrainingJobs").logStreamNamePrefix("survives/"))
                    .events().stream().map(e -> e.message()).toList();
            assertEquals(1, lines.stream().filter(l -> l.equals("epoch=1 loss=1.0")).count(), "no line lost or doubled: " + lines);
            assertEquals(1, lines.stream().filter(l -> l.equals("epoch=2 loss=0.5")).count(), lines.toString());
        }
    }

    private static CreateTrainingJobRequest job(String name, Map<String, String> hyperparameters) {
        return CreateTrainingJobRequest.builder().trainingJobName(name).roleArn(LocalCloudFixture.ROLE)
                .algorithmSpecification(a -> a.trainingImage(LocalCloudFixture.TEST_IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("loss").regex("loss=([0-9.]+)")))
                .hyperParameters(hyperparameters)
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://crash/train/"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://crash/output"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(300)).build();
    }

    private static DescribeTrainingJobResponse await(SageMakerClient sagemaker, String name,
                                                     Predicate<DescribeTrainingJobResponse> done) throws InterruptedException {
        return LocalCloudFixture.await(sagemaker, name, done, Duration.ofSeconds(90));
    }
}
