package dev.stratus.cloud.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.LocalCloud;
import dev.stratus.cloud.endpoints.ModelArchive;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTrainingJobResponse;
import software.amazon.awssdk.services.sagemaker.model.DescribeTransformJobResponse;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * A local cloud on a free port and a temporary home, with the test trainer installed as the
 * image {@code stratus/test-trainer} and the test model server as {@code stratus/test-model-server},
 * and real AWS SDK clients pointed at it. Alarms are fast: endpoint metrics are kept to the second,
 * so that alarms with 10-second periods see every request, and alarms are looked at every second.
 *
 * <p>A test class shares one with {@code @RegisterExtension static final LocalCloudFixture cloud = new
 * LocalCloudFixture();}: started in a temporary home before the class's first test (and its
 * {@code @BeforeAll} methods), closed and the home removed after its last.
 */
public final class LocalCloudFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {

    public static final String TEST_IMAGE = "stratus/test-trainer:1";
    /** The test trainer in an image that declares {@code "networkIsolation": true}, as the built-in XGBoost's does. */
    public static final String ISOLATED_TEST_IMAGE = "stratus/test-trainer-isolated:1";
    public static final String MODEL_SERVER_IMAGE = "stratus/test-model-server:1";
    /** Long enough for a JVM to start on two busy cores; the test of the timeout itself gives a shorter one. */
    public static final Duration ENDPOINT_HEALTH_TIMEOUT = Duration.ofSeconds(30);
    public static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Path home;
    private final Duration endpointHealthTimeout;
    private final Optional<Path> builtInImages;
    private LocalCloud cloud;
    public S3Client s3;
    public SageMakerClient sagemaker;
    public SageMakerRuntimeClient runtime;
    public CloudWatchLogsClient logs;
    public CloudWatchClient cloudwatch;
    public StsClient sts;

    /** A fixture for a whole test class, registered as an extension: it starts in {@link #beforeAll}. */
    public LocalCloudFixture() {
        this.endpointHealthTimeout = ENDPOINT_HEALTH_TIMEOUT;
        this.builtInImages = Optional.empty();
    }

    public LocalCloudFixture(Path home) throws Exception {
        this(home, ENDPOINT_HEALTH_TIMEOUT);
    }

    public LocalCloudFixture(Path home, Duration endpointHealthTimeout) throws Exception {
        this(home, endpointHealthTimeout, Optional.empty());
    }

    private LocalCloudFixture(Path home, Duration endpointHealthTimeout, Optional<Path> builtInImages) throws Exception {
        this.endpointHealthTimeout = endpointHealthTimeout;
        this.builtInImages = builtInImages;
        install(home);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        install(Files.createTempDirectory("stratus-local-cloud-test"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (cloud != null) {
            close();
        }
        ModelArchive.delete(home);
    }

    private void install(Path home) throws Exception {
        this.home = home;
        installTestTrainer(home);
        installTestModelServer(home);
        start();
    }

    /** Also runs Stratus's own images from {@code images}, the algorithms module's build, as {@code ./stratus local start} does. */
    public static LocalCloudFixture withBuiltInImages(Path home, Path images) throws Exception {
        return new LocalCloudFixture(home, ENDPOINT_HEALTH_TIMEOUT, Optional.of(images));
    }

    /** Starts (again) on the same home: what a restarted server sees. */
    public void start() throws Exception {
        LocalCloud.Options options = LocalCloud.Options.defaults(new CloudHome(home)).withPort(0).withStopGrace(Duration.ofSeconds(3))
                .withEndpointHealthTimeout(endpointHealthTimeout).withEndpointMetricsResolution(1)
                .withAlarmEvaluationInterval(Duration.ofSeconds(1));
        cloud = LocalCloud.start(builtInImages.map(options::withBuiltInImages).orElse(options));
        URI endpoint = cloud.endpoint();
        CloudHome.Credentials credentials = cloud.credentials();
        s3 = s3(endpoint, credentials);
        sagemaker = sageMaker(endpoint, credentials);
        runtime = sageMakerRuntime(endpoint, credentials);
        logs = logs(endpoint, credentials);
        cloudwatch = CloudWatchClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(provider(credentials)).build();
        sts = StsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(provider(credentials)).build();
    }

    /** An S3 client as the local cloud needs it: path-style, checksums only when required (measured-here.md). */
    public static S3Client s3(URI endpoint, CloudHome.Credentials credentials) {
        return S3Client.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(provider(credentials))
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED).build();
    }

    public static SageMakerClient sageMaker(URI endpoint, CloudHome.Credentials credentials) {
        return SageMakerClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1).credentialsProvider(provider(credentials)).build();
    }

    public static SageMakerRuntimeClient sageMakerRuntime(URI endpoint, CloudHome.Credentials credentials) {
        return SageMakerRuntimeClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(provider(credentials)).build();
    }

    public static CloudWatchLogsClient logs(URI endpoint, CloudHome.Credentials credentials) {
        return CloudWatchLogsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(provider(credentials)).build();
    }

    private static StaticCredentialsProvider provider(CloudHome.Credentials credentials) {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(credentials.accessKeyId(), credentials.secretAccessKey()));
    }

    public LocalCloud cloud() {
        return cloud;
    }

    /**
     * An awsJson request ({@code POST /}, {@code X-Amz-Target}) for {@code service} as botocore sends one, signed by the
     * SDK's signer with {@code signer} (unsigned when null), and sent raw so that its body can be anything.
     */
    public HttpResponse<String> sendJson(String service, String target, String contentType, String body,
            CloudHome.Credentials signer, Map<String, String> headers) throws IOException, InterruptedException {
        SdkHttpRequest.Builder builder = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(cloud.endpoint().resolve("/"))
                .putHeader("Content-Type", contentType).putHeader("X-Amz-Target", target);
        headers.forEach(builder::putHeader);
        SdkHttpRequest request = builder.build();
        if (signer != null) {
            SdkHttpRequest unsigned = request;
            request = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(
                            signer.accessKeyId(), signer.secretAccessKey()))
                    .request(unsigned)
                    .payload(ContentStreamProvider.fromUtf8String(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        }
        HttpRequest.Builder http = HttpRequest.newBuilder(cloud.endpoint().resolve("/")).POST(HttpRequest.BodyPublishers.ofString(body));
        for (var header : request.headers().entrySet()) {
            // The HTTP client sets these itself, to the same values.
            if (!List.of("host", "content-length").contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(v -> http.header(header.getKey(), v));
            }
        }
        return HTTP.send(http.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    public Path home() {
        return home;
    }

    /** Polls DescribeTrainingJob until {@code done} holds, failing after {@code limit}. */
    public DescribeTrainingJobResponse awaitJob(String name, Predicate<DescribeTrainingJobResponse> done, Duration limit)
            throws InterruptedException {
        return await(sagemaker, name, done, limit);
    }

    public static DescribeTrainingJobResponse await(SageMakerClient sagemaker, String name,
                                                    Predicate<DescribeTrainingJobResponse> done, Duration limit)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        DescribeTrainingJobResponse job;
        do {
            job = sagemaker.describeTrainingJob(r -> r.trainingJobName(name));
            if (done.test(job)) {
                return job;
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("training job " + name + " did not get there in " + limit + ": " + job);
    }

    /** Polls DescribeEndpoint until {@code done} holds, failing after {@code limit}. */
    public DescribeEndpointResponse awaitEndpoint(String name, Predicate<DescribeEndpointResponse> done, Duration limit)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        DescribeEndpointResponse endpoint;
        do {
            endpoint = sagemaker.describeEndpoint(r -> r.endpointName(name));
            if (done.test(endpoint)) {
                return endpoint;
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("endpoint " + name + " did not get there in " + limit + ": " + endpoint);
    }

    /** Waits until the endpoint is no longer Creating or Updating. */
    public DescribeEndpointResponse awaitEndpointSettled(String name) throws InterruptedException {
        return awaitEndpoint(name, e -> !List.of("Creating", "Updating").contains(e.endpointStatusAsString()), Duration.ofSeconds(90));
    }

    public DescribeTrainingJobResponse awaitEnd(String name) throws InterruptedException {
        return awaitJob(name, j -> List.of("Completed", "Failed", "Stopped").contains(j.trainingJobStatusAsString()),
                Duration.ofSeconds(90));
    }

    /** Polls DescribeTransformJob until the job has ended (Completed, Failed or Stopped), failing after 90 seconds. */
    public DescribeTransformJobResponse awaitTransformJob(String name) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(90);
        DescribeTransformJobResponse job;
        do {
            job = sagemaker.describeTransformJob(r -> r.transformJobName(name));
            if (List.of("Completed", "Failed", "Stopped").contains(job.transformJobStatusAsString())) {
                return job;
            }
            Thread.sleep(100);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("transform job " + name + " did not end in 90 s: " + job);
    }

    @Override
    public void close() {
        s3.close();
        sagemaker.close();
        runtime.close();
        logs.close();
        cloudwatch.close();
        sts.close();
        cloud.close();
    }

    /** A small heap and the serial collector: tests run several model servers at once on two cores. */
    private static void installTestModelServer(Path home) throws Exception {
        Path image = Files.createDirectories(home.resolve("images/test-model-server"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        new ObjectMapper().writeValue(image.resolve("image.json").toFile(), Map.of("command",
                List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC", "-Xmx64m", "-cp",
                        System.getProperty("java.class.path"), TestModelServer.class.getName())));
    }

    private static void installTestTrainer(Path home) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp", System.getProperty("java.class.path"),
                TestTrainer.class.getName());
        new ObjectMapper().writeValue(Files.createDirectories(home.resolve("images/test-trainer")).resolve("image.json").toFile(),
                Map.of("command", command));
        new ObjectMapper().writeValue(Files.createDirectories(home.resolve("images/test-trainer-isolated")).resolve("image.json").toFile(),
                Map.of("command", command, "networkIsolation", true));
    }
}
