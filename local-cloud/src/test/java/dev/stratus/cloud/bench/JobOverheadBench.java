package dev.stratus.cloud.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;

/**
 * Job overhead: CreateTrainingJob to Completed for a no-op training program, minus the
 * program's own run time, median of N jobs (default 10). Run with bench/local-cloud.sh.
 */
public final class JobOverheadBench {

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        Path home = Files.createTempDirectory("stratus-bench-home");
        try (LocalCloudFixture cloud = new LocalCloudFixture(home)) {
            // The no-op program: a shell that records how long it ran, so that its own time is subtracted.
            Path image = Files.createDirectories(home.resolve("images/noop"));
            new ObjectMapper().writeValue(image.resolve("image.json").toFile(), Map.of("command",
                    List.of("sh", "-c", "start=$(date +%s%N); end=$(date +%s%N); echo \"ran_ns=$((end-start))\"", "noop")));
            cloud.s3.createBucket(r -> r.bucket("bench"));
            cloud.s3.putObject(r -> r.bucket("bench").key("train/data.csv"), RequestBody.fromString("1,2\n"));
            List<Double> overheads = new ArrayList<>();
            for (int i = 0; i < jobs + 2; i++) {
                String name = "noop-" + i;
                long submitted = System.nanoTime();
                cloud.sagemaker.createTrainingJob(r -> r.trainingJobName(name).roleArn(LocalCloudFixture.ROLE)
                        .algorithmSpecification(a -> a.trainingImage("stratus/noop:1").trainingInputMode("File"))
                        .inputDataConfig(c -> c.channelName("train").dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix")
                                .s3Uri("s3://bench/train/"))))
                        .outputDataConfig(o -> o.s3OutputPath("s3://bench/output"))
                        .resourceConfig(c -> c.instanceType("ml.m5.large").instanceCount(1).volumeSizeInGB(1))
                        .stoppingCondition(s -> s.maxRuntimeInSeconds(60)));
                DescribeTrainingJobResponse job;
                do {
                    Thread.sleep(5);
                    job = cloud.sagemaker.describeTrainingJob(r -> r.trainingJobName(name));
                } while (job.trainingJobStatusAsString().equals("InProgress"));
                double total = (System.nanoTime() - submitted) / 1e6;
                String log = Files.readString(home.resolve("jobs/" + name + "/runtime/algo-1/output.log"));
                double ran = Long.parseLong(log.replaceAll("(?s).*ran_ns=(\\d+).*", "$1")) / 1e6;
                if (!job.trainingJobStatusAsString().equals("Completed")) {
                    throw new AssertionError(name + " ended " + job.trainingJobStatusAsString() + ": " + job.failureReason());
                }
                if (i >= 2) { // the first two warm the JIT
                    overheads.add(total - ran);
                }
            }
            overheads.sort(null);
            System.out.printf("job overhead (submit -> Completed minus the program's run time), %d jobs:%n", jobs);
            System.out.printf("  median %.0f ms, min %.0f ms, max %.0f ms (target < 1500 ms)%n",
                    overheads.get(overheads.size() / 2), overheads.get(0), overheads.get(overheads.size() - 1));
        }
    }

    private JobOverheadBench() {
    }
}
