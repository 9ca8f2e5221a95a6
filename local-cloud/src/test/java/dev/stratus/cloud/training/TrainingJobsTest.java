package dev.stratus.cloud.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.stratus.cloud.state.ProcessRecord;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.sagemaker.model.CreateTrainingJobRequest;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.ResourceInUseException;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.SecondaryStatusTransition;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobSummary;

/** Training jobs that really run, driven by the AWS SDK's SageMaker, S3, Logs and CloudWatch clients. */
class TrainingJobsTest {

    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();

    @BeforeAll
    static void start() throws Exception {
        cloud.s3.createBucket(r -> r.bucket("data"));
        put("train/part-0.csv", "1,2\n3,4\n");
        put("train/part-1.csv", "5,6\n");
        put("validation/v.csv", "7,8\n9,10\n11,12\n");
    }

    private static void put(String key, String content) {
        cloud.s3.putObject(r -> r.bucket("data").key(key), RequestBody.fromString(content));
    }

    private static final Consumer<CreateTrainingJobRequest.Builder> TWO_INSTANCES =
            b -> b.resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(2).volumeSizeInGB(10));

    /** A job of the test trainer with two channels, changed as a test needs. */
    private static CreateTrainingJobRequest job(String name, Map<String, String> hyperparameters,
                                                Consumer<CreateTrainingJobRequest.Builder> change) {
        CreateTrainingJobRequest.Builder job = CreateTrainingJobRequest.builder()
                .trainingJobName(name)
                .roleArn(LocalCloudFixture.ROLE)
                .algorithmSpecification(a -> a.trainingImage(LocalCloudFixture.TEST_IMAGE).trainingInputMode("File")
                        .metricDefinitions(m -> m.name("train:loss").regex("loss=([0-9.]+)")))
                .hyperParameters(hyperparameters)
                .inputDataConfig(
                        c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                                .s3Uri("s3://data/train/").s3DataDistributionType("FullyReplicated"))),
                        c -> c.channelName("validation").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                                .s3Uri("s3://data/validation").s3DataDistributionType("FullyReplicated"))))
                .outputDataConfig(o -> o.s3OutputPath("s3://data/output"))
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(10))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600));
        change.accept(job);
        return job.build();
    }

    private static CreateTrainingJobRequest job(String name, Map<String, String> hyperparameters) {
        return job(name, hyperparameters, b -> { });
    }

    @Test
    void aJobRunsAndShipsItsModelLogsAndMetrics() throws Exception {
        Instant before = Instant.now().minusSeconds(60);
        cloud.sagemaker.createTrainingJob(job("completes", Map.of("epochs", "3")));
        DescribeTrainingJobResponse job = cloud.awaitEnd("completes");

        assertEquals("Completed", job.trainingJobStatusAsString(), job.toString());
        assertEquals("Completed", job.secondaryStatusAsString());
        assertEquals(List.of("Starting", "Downloading", "Training", "Uploading", "Completed"),
                job.secondaryStatusTransitions().stream().map(SecondaryStatusTransition::statusAsString).toList());
        assertEquals("s3://data/output/completes/output/model.tar.gz", job.modelArtifacts().s3ModelArtifacts());
        assertEquals(Map.of("epochs", "3"), job.hyperParameters());
        assertTrue(job.billableTimeInSeconds() >= 1);
        assertEquals(1.0 / 3, job.finalMetricDataList().get(0).value(), 1e-6);
        assertEquals("train:loss", job.finalMetricDataList().get(0).metricName());

        Map<String, String> model = untar(cloud.s3.getObjectAsBytes(r -> r.bucket("data").key("output/completes/output/model.tar.gz")).asByteArray());
        assertEquals("host=algo-1\ntrain=2 files 3 lines\nvalidation=1 files 3 lines\n", model.get("model.txt"));
        assertEquals(100, model.get("nested/weights.bin").length());
        Map<String, String> output = untar(cloud.s3.getObjectAsBytes(r -> r.bucket("data").key("output/completes/output/output.tar.gz")).asByteArray());
        assertEquals("epochs=3\n", output.get("summary.txt"));

        String stream = cloud.logs.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/TrainingJobs").logStreamNamePrefix("completes/"))
                .logStreams().get(0).logStreamName();
        assertTrue(stream.matches("completes/algo-1-\\d+"), stream);
        List<String> lines = cloud.logs.getLogEvents(r -> r.logGroupName("/aws/sagemaker/TrainingJobs").logStreamName(stream)
                .startFromHead(true)).events().stream().map(e -> e.message()).toList();
        assertTrue(lines.contains("epoch=3 loss=0.3333333333333333"), lines.toString());
        assertTrue(lines.contains("progress 3/3"), "stderr is shipped too: " + lines);
        assertEquals("done without a final newline", lines.get(lines.size() - 1));

        var stats = cloud.cloudwatch.getMetricStatistics(r -> r.namespace("/aws/sagemaker/TrainingJobs").metricName("train:loss")
                .dimensions(d -> d.name("TrainingJobName").value("completes"))
                .startTime(before).endTime(Instant.now().plusSeconds(60)).period(60 * 60).statistics(Statistic.MINIMUM, Statistic.SAMPLE_COUNT));
        assertEquals(3.0, stats.datapoints().stream().mapToDouble(d -> d.sampleCount()).sum());
        assertEquals(1.0 / 3, stats.datapoints().stream().mapToDouble(d -> d.minimum()).min().orElseThrow(), 1e-6);
    }

    @Test
    void shardedChannelsSplitObjectsAcrossInstances() throws Exception {
        cloud.sagemaker.createTrainingJob(job("sharded", Map.of("epochs", "1"), b -> b
                .resourceConfig(r -> r.instanceType("ml.m5.large").instanceCount(2).volumeSizeInGB(10))
                .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                        .s3Uri("s3://data/train/").s3DataDistributionType("ShardedByS3Key"))))));
        DescribeTrainingJobResponse job = cloud.awaitEnd("sharded");
        assertEquals("Completed", job.trainingJobStatusAsString(), job.toString());
        assertEquals(2 * job.trainingTimeInSeconds(), job.billableTimeInSeconds());
        String host1 = Files.readString(cloud.home().resolve("jobs/sharded/algo-1/model/model.txt"));
        String host2 = Files.readString(cloud.home().resolve("jobs/sharded/algo-2/model/model.txt"));
        assertEquals("host=algo-1\ntrain=1 files 2 lines\n", host1);
        assertEquals("host=algo-2\ntrain=1 files 1 lines\n", host2);
        Path config = cloud.home().resolve("jobs/sharded/algo-2/input/config/resourceconfig.json");
        assertTrue(Files.readString(config).contains("\"current_host\":\"algo-2\""), Files.readString(config));
        assertEquals(2, cloud.logs.describeLogStreams(r -> r.logGroupName("/aws/sagemaker/TrainingJobs")
                .logStreamNamePrefix("sharded/")).logStreams().size());
    }

    @Test
    void aHostThatFailsStopsTheOthersAndGivesTheJobItsReason() throws Exception {
        Instant created = Instant.now();
        cloud.sagemaker.createTrainingJob(job("host-fails", Map.of("fail_on_host", "algo-2", "sleep_seconds", "60"), TWO_INSTANCES));
        DescribeTrainingJobResponse job = cloud.awaitEnd("host-fails");

        assertEquals("Failed", job.trainingJobStatusAsString());
        assertEquals("test trainer failed on algo-2", job.failureReason());
        // algo-1 would have slept a minute: it was stopped once algo-2 had failed, and its own end is not the reason.
        assertTrue(Duration.between(created, Instant.now()).toSeconds() < 30, "the job waited for algo-1");
        assertEquals("143", Files.readString(cloud.home().resolve("jobs/host-fails/runtime/algo-1/exit-code")).strip());
    }

    @Test
    void theHostsOfAJobMeetAtTheFirstHostsAddress() throws Exception {
        cloud.sagemaker.createTrainingJob(job("meet", Map.of("meet_peers", "true"), TWO_INSTANCES));
        assertEquals("Completed", cloud.awaitEnd("meet").trainingJobStatusAsString());
        String first = Files.readString(cloud.home().resolve("jobs/meet/runtime/algo-1/output.log"));
        assertTrue(first.matches("(?s).*listening on 127\\.0\\.0\\.1:\\d+\n.*met algo-2\n.*"), first);
        String second = Files.readString(cloud.home().resolve("jobs/meet/runtime/algo-2/output.log"));
        assertTrue(second.contains("met algo-1 at 127.0.0.1:"), second);
    }

    @Test
    void aJobWithNetworkIsolationReachesNoNetworkButTrainsOnItsChannels() throws Exception {
        boolean privateNetworks = privateNetworks();
        cloud.sagemaker.createTrainingJob(job("isolated-trains", Map.of(), b -> b.enableNetworkIsolation(true)));
        cloud.sagemaker.createTrainingJob(job("isolated-calls-s3", Map.of("list_bucket", "data"), b -> b.enableNetworkIsolation(true)));

        DescribeTrainingJobResponse trains = cloud.awaitEnd("isolated-trains");
        DescribeTrainingJobResponse callsS3 = cloud.awaitEnd("isolated-calls-s3");
        assertTrue(trains.enableNetworkIsolation());
        if (privateNetworks) {
            // The channels were there and the model went to S3, as the local cloud moves them, not the algorithm.
            assertEquals("Completed", trains.trainingJobStatusAsString(), trains.failureReason());
            assertTrue(Files.readString(cloud.home().resolve("jobs/isolated-trains/runtime/algo-1/output.log")).contains("channel train: "));
            assertEquals("Failed", callsS3.trainingJobStatusAsString());
            String log = Files.readString(cloud.home().resolve("jobs/isolated-calls-s3/runtime/algo-1/output.log"));
            assertTrue(log.contains("Unable to execute HTTP request") && !log.contains("bucket objects:"), log);
        } else {
            for (DescribeTrainingJobResponse job : List.of(trains, callsS3)) {
                assertEquals("Failed", job.trainingJobStatusAsString());
                assertTrue(job.failureReason().startsWith("ClientError: EnableNetworkIsolation asks for a network of the job's"
                        + " own, which this machine cannot make"), job.failureReason());
            }
        }
    }

    private static boolean privateNetworks() {
        try (PrivateNetwork probe = PrivateNetwork.open()) {
            return true;
        } catch (IOException e) {
            System.out.println("no private networks on this machine: " + e.getMessage());
            return false;
        }
    }

    @Test
    void theHostsOfAnIsolatedImageShareANetworkOfTheirOwn() throws Exception {
        boolean privateNetworks = privateNetworks();
        cloud.sagemaker.createTrainingJob(job("isolated", Map.of("meet_peers", "true", "sleep_seconds", "3"), b -> TWO_INSTANCES.accept(b
                .algorithmSpecification(a -> a.trainingImage(LocalCloudFixture.ISOLATED_TEST_IMAGE).trainingInputMode("File")))));
        Path log = cloud.home().resolve("jobs/isolated/runtime/algo-1/output.log");
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(log) || !Files.readString(log).contains("met algo-2")) {
            assertTrue(Instant.now().isBefore(deadline), "the hosts did not meet");
            Thread.sleep(50);
        }
        Matcher listening = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)").matcher(Files.readString(log));
        assertTrue(listening.find());

        // The first host still listens (it sleeps 3 s): on its own loopback, out of this machine's reach.
        boolean reachable;
        try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(listening.group(1)))) {
            reachable = true;
        } catch (ConnectException refused) {
            reachable = false;
        }
        assertEquals(!privateNetworks, reachable, privateNetworks ? "the hosts' network is open to this machine" : "the hosts were not met");
        assertEquals("Completed", cloud.awaitEnd("isolated").trainingJobStatusAsString());
    }

    @Test
    void aFailingAlgorithmFailsTheJobWithItsReason() throws Exception {
        cloud.sagemaker.createTrainingJob(job("fails", Map.of("fail", "true")));
        DescribeTrainingJobResponse job = cloud.awaitEnd("fails");
        assertEquals("Failed", job.trainingJobStatusAsString());
        assertEquals("test trainer failed on request\nsecond line of detail", job.failureReason());

        cloud.sagemaker.createTrainingJob(job("exit-code", Map.of("exit_code", "5")));
        assertEquals("AlgorithmError: the algorithm on algo-1 exited with code 5 and wrote no output/failure: see the"
                + " job's log stream", cloud.awaitEnd("exit-code").failureReason());
    }

    @Test
    void aMissingChannelObjectFailsTheJobNamingTheUri() throws Exception {
        cloud.sagemaker.createTrainingJob(job("no-data", Map.of(), b -> b.inputDataConfig(c -> c.channelName("train")
                .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri("s3://data/missing/prefix"))))));
        DescribeTrainingJobResponse job = cloud.awaitEnd("no-data");
        assertEquals("Failed", job.trainingJobStatusAsString());
        assertEquals("ClientError: channel train: no objects found under s3://data/missing/prefix: upload the data first",
                job.failureReason());
    }

    @Test
    void anUnknownImageFailsTheJobListingWhatIsSupported() throws Exception {
        cloud.sagemaker.createTrainingJob(job("bad-image", Map.of(), b -> b.algorithmSpecification(a -> a
                .trainingImage("123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest").trainingInputMode("File"))));
        String reason = cloud.awaitEnd("bad-image").failureReason();
        assertTrue(reason.startsWith("ClientError: image '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest' is not"
                + " supported locally; supported are SageMaker's XGBoost, Linear Learner and K-Means images"), reason);
    }

    @Test
    void requestsAreCheckedAsSageMakerChecksThem() {
        cloud.sagemaker.createTrainingJob(job("unique", Map.of()));
        ResourceInUseException duplicate = assertThrows(ResourceInUseException.class,
                () -> cloud.sagemaker.createTrainingJob(job("unique", Map.of())));
        assertTrue(duplicate.awsErrorDetails().errorMessage().contains("a training job with this name already exists"));

        Map<CreateTrainingJobRequest, String> bad = new HashMap<>();
        bad.put(job("bad_name", Map.of()), "Value 'bad_name' at 'trainingJobName' failed to satisfy constraint");
        bad.put(job("bad-role", Map.of(), b -> b.roleArn("SageMakerRole")), "at 'roleArn' failed to satisfy constraint");
        bad.put(job("bad-output", Map.of(), b -> b.outputDataConfig(o -> o.s3OutputPath("/tmp/out"))),
                "Value '/tmp/out' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint");
        bad.put(job("dotdot-output", Map.of(), b -> b.outputDataConfig(o -> o.s3OutputPath("s3://data/../outside"))),
                "Value 's3://data/../outside' at 'outputDataConfig.s3OutputPath' failed to satisfy constraint: Member must be an S3"
                        + " URI without a '..' segment");
        bad.put(job("dotdot-checkpoints", Map.of(), b -> b.checkpointConfig(c -> c.s3Uri("s3://data/checkpoints/.."))),
                "at 'checkpointConfig.s3Uri' failed to satisfy constraint: Member must be an S3 URI without a '..' segment");
        bad.put(job("no-stopping", Map.of(), b -> b.stoppingCondition((software.amazon.awssdk.services.sagemaker.model.StoppingCondition) null)),
                "Value null at 'stoppingCondition' failed to satisfy constraint: Member must not be null");
        bad.put(job("pipe", Map.of(), b -> b.algorithmSpecification(a -> a.trainingImage(LocalCloudFixture.TEST_IMAGE)
                .trainingInputMode("Pipe"))), "TrainingInputMode Pipe is not supported locally: use File");
        bad.forEach((request, message) -> {
            SageMakerException e = assertThrows(SageMakerException.class, () -> cloud.sagemaker.createTrainingJob(request));
            assertEquals("ValidationException", e.awsErrorDetails().errorCode());
            assertTrue(e.awsErrorDetails().errorMessage().contains(message), e.awsErrorDetails().errorMessage());
            assertFalse(e.awsErrorDetails().errorMessage().contains("\n"));
            assertThrows(SageMakerException.class, () -> cloud.sagemaker.describeTrainingJob(r -> r.trainingJobName(request.trainingJobName())),
                    "nothing was written for " + request.trainingJobName());
        });
        SageMakerException missing = assertThrows(SageMakerException.class,
                () -> cloud.sagemaker.describeTrainingJob(r -> r.trainingJobName("never-created")));
        assertEquals("ValidationException", missing.awsErrorDetails().errorCode());
    }

    @Test
    void stopAndMaxRuntimeEndTheProcesses() throws Exception {
        cloud.sagemaker.createTrainingJob(job("stopped", Map.of("sleep_seconds", "60")));
        cloud.awaitJob("stopped", j -> j.secondaryStatusAsString().equals("Training"), Duration.ofSeconds(30));
        cloud.sagemaker.stopTrainingJob(r -> r.trainingJobName("stopped"));
        DescribeTrainingJobResponse stopped = cloud.awaitEnd("stopped");
        assertEquals("Stopped", stopped.trainingJobStatusAsString());
        assertTrue(stopped.secondaryStatusTransitions().stream().anyMatch(t -> t.statusAsString().equals("Stopping")));
        SageMakerException again = assertThrows(SageMakerException.class, () -> cloud.sagemaker.stopTrainingJob(r -> r.trainingJobName("stopped")));
        assertTrue(again.awsErrorDetails().errorMessage().contains("in status Stopped"));

        cloud.sagemaker.createTrainingJob(job("timed-out", Map.of("sleep_seconds", "60"), b -> b.stoppingCondition(s -> s.maxRuntimeInSeconds(2))));
        DescribeTrainingJobResponse timedOut = cloud.awaitEnd("timed-out");
        assertEquals("Stopped", timedOut.trainingJobStatusAsString());
        assertEquals("MaxRuntimeExceeded", timedOut.secondaryStatusAsString());
    }

    @Test
    void anAlgorithmThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        Path image = Files.createDirectories(cloud.home().resolve("images/stubborn"));
        Files.writeString(image.resolve("image.json"), "{\"command\": [\"sh\", \"-c\", \"trap '' TERM; echo ignoring TERM;"
                + " while :; do sleep 1; done\", \"stubborn\"]}");
        cloud.sagemaker.createTrainingJob(job("stubborn", Map.of(), b -> b.algorithmSpecification(a -> a
                .trainingImage("stratus/stubborn:latest").trainingInputMode("File"))));
        cloud.awaitJob("stubborn", j -> j.secondaryStatusAsString().equals("Training"), Duration.ofSeconds(30));
        Thread.sleep(500);
        Instant stopped = Instant.now();
        cloud.sagemaker.stopTrainingJob(r -> r.trainingJobName("stubborn"));
        DescribeTrainingJobResponse job = cloud.awaitEnd("stubborn");
        assertEquals("Stopped", job.trainingJobStatusAsString());
        // The fixture's grace period is 3 s: SIGTERM was ignored, SIGKILL ended it.
        assertTrue(Duration.between(stopped, Instant.now()).toMillis() >= 3000);
    }

    @Test
    void aProcessKilledFromOutsideFailsItsJob() throws Exception {
        cloud.sagemaker.createTrainingJob(job("killed", Map.of("sleep_seconds", "60")));
        cloud.awaitJob("killed", j -> j.secondaryStatusAsString().equals("Training"), Duration.ofSeconds(30));
        algorithmOf("killed").destroyForcibly();
        DescribeTrainingJobResponse job = cloud.awaitEnd("killed");
        assertEquals("Failed", job.trainingJobStatusAsString());
        assertEquals("AlgorithmError: the algorithm on algo-1 was killed by signal 9 (SIGKILL)", job.failureReason());
    }

    @Test
    void aWrapperKilledFromOutsideFailsItsJobAndEndsTheAlgorithm() throws Exception {
        cloud.sagemaker.createTrainingJob(job("orphaned", Map.of("sleep_seconds", "60")));
        cloud.awaitJob("orphaned", j -> j.secondaryStatusAsString().equals("Training"), Duration.ofSeconds(30));
        Path algorithm = cloud.home().resolve("algorithm-of-orphaned");
        ProcessRecord.write(algorithm, algorithmOf("orphaned"));
        ProcessRecord.find(cloud.home().resolve("jobs/orphaned/runtime/algo-1/wrapper")).orElseThrow().destroyForcibly();
        DescribeTrainingJobResponse job = cloud.awaitEnd("orphaned");
        assertEquals("Failed", job.trainingJobStatusAsString());
        assertTrue(job.failureReason().startsWith("InternalServerError: the process of algo-1 is gone without an exit status"),
                job.failureReason());
        // Not left running with nobody to record its end (once ended, the JDK calls it alive until it is reaped).
        Instant deadline = Instant.now().plusSeconds(10);
        while (ProcessRecord.find(algorithm).isPresent() && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        assertTrue(ProcessRecord.find(algorithm).isEmpty(), "the algorithm still runs");
    }

    /** The algorithm process of a job's first host, once its wrapper has recorded the pid. */
    private ProcessHandle algorithmOf(String job) throws Exception {
        Path pidFile = cloud.home().resolve("jobs/" + job + "/runtime/algo-1/algorithm.pid");
        Instant deadline = Instant.now().plusSeconds(10);
        while (!Files.exists(pidFile) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
        }
        return ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip())).orElseThrow();
    }

    @Test
    void checkpointsAreKeptInS3AndRestoredByTheNextJob() throws Exception {
        Consumer<CreateTrainingJobRequest.Builder> checkpointed = b -> b.checkpointConfig(c -> c.s3Uri("s3://data/checkpoints/run-1"));
        cloud.sagemaker.createTrainingJob(job("checkpoint-1", Map.of("epochs", "2"), checkpointed));
        assertEquals("Completed", cloud.awaitEnd("checkpoint-1").trainingJobStatusAsString());
        assertEquals("2", cloud.s3.getObjectAsBytes(r -> r.bucket("data").key("checkpoints/run-1/epoch.txt")).asUtf8String());

        cloud.sagemaker.createTrainingJob(job("checkpoint-2", Map.of("epochs", "1"), checkpointed));
        assertEquals("Completed", cloud.awaitEnd("checkpoint-2").trainingJobStatusAsString());
        assertTrue(Files.readString(cloud.home().resolve("jobs/checkpoint-2/runtime/algo-1/output.log")).contains("restored checkpoint: epoch 2"));
        assertEquals("3", cloud.s3.getObjectAsBytes(r -> r.bucket("data").key("checkpoints/run-1/epoch.txt")).asUtf8String());
    }

    @Test
    void theAlgorithmReachesS3ThroughTheLocalEndpointWithHandedCredentials() throws Exception {
        cloud.sagemaker.createTrainingJob(job("uses-s3", Map.of("list_bucket", "data")));
        assertEquals("Completed", cloud.awaitEnd("uses-s3").trainingJobStatusAsString());
        String log = Files.readString(cloud.home().resolve("jobs/uses-s3/runtime/algo-1/output.log"));
        assertTrue(log.matches("(?s).*bucket objects: \\d+.*"), log);
    }

    @Test
    void listingFiltersSortsAndPages() throws Exception {
        for (String name : List.of("list-a", "list-b", "list-c")) {
            cloud.sagemaker.createTrainingJob(job(name, Map.of()));
        }
        for (String name : List.of("list-a", "list-b", "list-c")) {
            cloud.awaitEnd(name);
        }
        var firstPage = cloud.sagemaker.listTrainingJobs(r -> r.nameContains("list-").sortBy("Name").sortOrder("Ascending").maxResults(2));
        assertEquals(List.of("list-a", "list-b"), firstPage.trainingJobSummaries().stream().map(TrainingJobSummary::trainingJobName).toList());
        var secondPage = cloud.sagemaker.listTrainingJobs(r -> r.nameContains("list-").sortBy("Name").sortOrder("Ascending")
                .maxResults(2).nextToken(firstPage.nextToken()));
        assertEquals(List.of("list-c"), secondPage.trainingJobSummaries().stream().map(TrainingJobSummary::trainingJobName).toList());
        assertEquals(null, secondPage.nextToken());
        var failed = cloud.sagemaker.listTrainingJobs(r -> r.statusEquals("Failed").maxResults(100));
        assertTrue(failed.trainingJobSummaries().stream().allMatch(s -> s.trainingJobStatusAsString().equals("Failed")));
        var paginated = cloud.sagemaker.listTrainingJobsPaginator(r -> r.nameContains("list-").maxResults(1));
        assertEquals(3, paginated.trainingJobSummaries().stream().count());
    }

    static Map<String, String> untar(byte[] archive) throws Exception {
        Map<String, String> files = new HashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry; (entry = tar.getNextEntry()) != null; ) {
                if (entry.isFile()) {
                    files.put(entry.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return files;
    }
}
