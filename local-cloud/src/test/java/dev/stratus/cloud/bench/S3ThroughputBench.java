package dev.stratus.cloud.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import dev.stratus.cloud.endpoints.ModelArchive;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * S3 through the local endpoint: the SDK's transfer manager against {@code aws s3 cp}, up and
 * down, side by side in one run (default 1 GB; first argument in MB). Run with bench/local-cloud.sh.
 */
public final class S3ThroughputBench {

    public static void main(String[] args) throws Exception {
        int megabytes = args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        Path work = Files.createTempDirectory("stratus-bench-s3");
        Path file = work.resolve("payload.bin");
        write(file, megabytes);
        try (LocalCloudFixture cloud = new LocalCloudFixture(work.resolve("home"))) {
            cloud.s3.createBucket(r -> r.bucket("throughput"));
            var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(
                    cloud.cloud().credentials().accessKeyId(), cloud.cloud().credentials().secretAccessKey()));
            // The CRT-based client: the transfer manager's recommended, native multipart engine. It downloads by ranges,
            // which S3Proxy serves (it ignores partNumber, which the Java multipart client would use).
            try (S3AsyncClient crt = S3AsyncClient.crtBuilder().endpointOverride(cloud.cloud().endpoint()).region(Region.US_EAST_1)
                    .credentialsProvider(credentials).forcePathStyle(true)
                    .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    // Parts in flight, close to the CLI's max_concurrent_requests (10): by default the CRT derives it from a
                    // 10 Gb/s target throughput, and on loopback the extra 8 MB parts only queue inside the server.
                    .maxConcurrency(PARTS_IN_FLIGHT).build();
                 S3TransferManager up = S3TransferManager.builder().s3Client(crt).build()) {
                // Both clients talk to one server whose JIT warms up on the first transfers: a warm-up round of each, then
                // rounds that alternate the two, so neither is measured against a colder server than the other.
                Path small = work.resolve("warm-up.bin");
                write(small, Math.max(1, megabytes / 16));
                Transfers warmUp = new Transfers(up, cloud, small, work);
                warmUp.round();
                Transfers transfers = new Transfers(up, cloud, file, work);
                List<double[]> rounds = new ArrayList<>();
                for (int i = 0; i < ROUNDS; i++) {
                    double[] round = transfers.round();
                    System.out.printf("  round %d: up SDK %.1f s, CLI %.1f s (%.2fx); down SDK %.1f s, CLI %.1f s (%.2fx)%n", i + 1,
                            round[0], round[1], round[1] / round[0], round[2], round[3], round[3] / round[2]);
                    rounds.add(round);
                }
                double sdkUp = median(rounds, round -> round[0]);
                double cliUp = median(rounds, round -> round[1]);
                double sdkDown = median(rounds, round -> round[2]);
                double cliDown = median(rounds, round -> round[3]);
                // A round's two clients ran back to back, under the same load from the rest of the machine.
                double upRatio = median(rounds, round -> round[1] / round[0]);
                double downRatio = median(rounds, round -> round[3] / round[2]);
                System.out.printf("S3 through the local endpoint, %d MB, medians of %d rounds (after a warm-up round);%n"
                        + "  ratios: the median of each round's side-by-side ratio%n",
                        megabytes, ROUNDS);
                System.out.printf("  upload:   SDK transfer manager %6.0f MB/s   aws s3 cp %6.0f MB/s   ratio %.2fx (target >= 1.5x)%n",
                        megabytes / sdkUp, megabytes / cliUp, upRatio);
                System.out.printf("  download: SDK transfer manager %6.0f MB/s   aws s3 cp %6.0f MB/s   ratio %.2fx%n",
                        megabytes / sdkDown, megabytes / cliDown, downRatio);
            }
        } finally {
            ModelArchive.delete(work);
        }
    }

    private static final int ROUNDS = 3;
    private static final int PARTS_IN_FLIGHT = 8;

    /** One file up and down with each client: seconds for SDK up, CLI up, SDK down, CLI down. */
    private record Transfers(S3TransferManager sdk, LocalCloudFixture cloud, Path file, Path work) {

        double[] round() throws Exception {
            Path sdkCopy = work.resolve("sdk-down.bin");
            Path cliCopy = work.resolve("cli-down.bin");
            Files.deleteIfExists(sdkCopy);
            Files.deleteIfExists(cliCopy);
            double sdkUp = seconds(() -> sdk.uploadFile(u -> u.source(file).putObjectRequest(p -> p.bucket("throughput").key("sdk.bin")))
                    .completionFuture().join());
            double cliUp = seconds(() -> cli(cloud, "s3", "cp", file.toString(), "s3://throughput/cli.bin"));
            double sdkDown = seconds(() -> sdk.downloadFile(d -> d.destination(sdkCopy)
                    .getObjectRequest(g -> g.bucket("throughput").key("sdk.bin"))).completionFuture().join());
            double cliDown = seconds(() -> cli(cloud, "s3", "cp", "s3://throughput/cli.bin", cliCopy.toString()));
            if (Files.size(sdkCopy) != Files.size(file) || Files.size(cliCopy) != Files.size(file)) {
                throw new AssertionError("a download came back with the wrong size");
            }
            return new double[] {sdkUp, cliUp, sdkDown, cliDown};
        }
    }

    private static double median(List<double[]> rounds, ToDoubleFunction<double[]> value) {
        double[] values = rounds.stream().mapToDouble(value).sorted().toArray();
        return values[values.length / 2];
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double seconds(Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return (System.nanoTime() - start) / 1e9;
    }

    private static void cli(LocalCloudFixture cloud, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", cloud.cloud().endpoint().toString(),
                "--region", "us-east-1"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> env = builder.environment();
        env.put("AWS_ACCESS_KEY_ID", cloud.cloud().credentials().accessKeyId());
        env.put("AWS_SECRET_ACCESS_KEY", cloud.cloud().credentials().secretAccessKey());
        Process process = builder.start();
        if (!process.waitFor(30, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new AssertionError("aws " + String.join(" ", args) + " failed");
        }
    }

    private static void write(Path file, int megabytes) throws IOException {
        byte[] block = new byte[1024 * 1024];
        new Random(42).nextBytes(block);
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < megabytes; i++) {
                out.write(block);
            }
        }
    }

    private S3ThroughputBench() {
    }
}
