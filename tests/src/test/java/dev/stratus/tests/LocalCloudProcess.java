package dev.stratus.tests;

import static dev.stratus.tests.Jupyter.stratus;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;

/**
 * The local cloud as a user runs it: {@code ./stratus local start} on a free port and its own home, the
 * settings {@code ./stratus local env} prints, and real clients configured by them only: the AWS CLI
 * from Debian and the AWS SDK for Java.
 */
final class LocalCloudProcess implements AutoCloseable {

    private final Path home;
    private final Path work;
    private final Map<String, String> awsEnv = new HashMap<>();

    private LocalCloudProcess(Path home, Path work) {
        this.home = home;
        this.work = work;
    }

    /** Starts a local cloud keeping its state in {@code home}; the CLI runs in {@code work}. */
    static LocalCloudProcess start(Path home, Path work) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Jupyter.ProcessResult start = stratus("local", "start", "--home", home.toString(), "--port", Integer.toString(port));
        assertEquals(0, start.exitCode(), start.outputTail());
        LocalCloudProcess cloud = new LocalCloudProcess(home, work);
        for (String line : stratus("local", "env", "--home", home.toString()).stdout().strip().split("\n")) {
            String assignment = line.replaceFirst("^export ", "");
            cloud.awsEnv.put(assignment.substring(0, assignment.indexOf('=')),
                    assignment.substring(assignment.indexOf('=') + 1).replace("'", ""));
        }
        // Nothing from this machine's own AWS configuration.
        cloud.awsEnv.put("AWS_CONFIG_FILE", work.resolve("none").toString());
        cloud.awsEnv.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("none").toString());
        return cloud;
    }

    String endpoint() {
        return awsEnv.get("AWS_ENDPOINT_URL");
    }

    /** The AWS CLI with JSON output; Debian's CLI predates AWS_ENDPOINT_URL, hence --endpoint-url. */
    Jupyter.ProcessResult aws(String... args) {
        List<String> command = new ArrayList<>(List.of("/usr/bin/aws", "--endpoint-url", endpoint(), "--output", "json"));
        command.addAll(List.of(args));
        return Jupyter.exec(command, awsEnv, work, Duration.ofMinutes(2));
    }

    /** The AWS CLI's JSON answer, which must come with exit code 0. */
    JsonObject awsJson(String... args) {
        Jupyter.ProcessResult result = aws(args);
        assertEquals(0, result.exitCode(), String.join(" ", args) + ": " + result.outputTail());
        return JsonParser.parseString(result.stdout()).getAsJsonObject();
    }

    SageMakerClient sageMaker() {
        return SageMakerClient.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).build();
    }

    SageMakerRuntimeClient runtime() {
        return SageMakerRuntimeClient.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1)
                .credentialsProvider(credentials()).build();
    }

    /** Path-style, checksums only when required: as S3Proxy needs (measured-here.md). */
    S3Client s3() {
        return S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(credentials()).build();
    }

    private StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(awsEnv.get("AWS_ACCESS_KEY_ID"),
                awsEnv.get("AWS_SECRET_ACCESS_KEY")));
    }

    @Override
    public void close() {
        stratus("local", "stop", "--home", home.toString());
    }
}
