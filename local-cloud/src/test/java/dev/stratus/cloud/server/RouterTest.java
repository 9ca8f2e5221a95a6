package dev.stratus.cloud.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/** The one endpoint: routing by credential scope, and each protocol's errors for requests that must not get through. */
class RouterTest {

    @TempDir
    static Path home;
    static LocalCloudFixture cloud;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        cloud = new LocalCloudFixture(home);
    }

    @AfterAll
    static void stop() {
        if (cloud != null) {
            cloud.close();
        }
    }

    @Test
    void stsNamesTheLocalAccount() {
        assertEquals(CloudHome.ACCOUNT_ID, cloud.sts.getCallerIdentity().account());
        assertTrue(cloud.sts.getCallerIdentity().arn().startsWith("arn:aws:iam::000000000000:"));
    }

    @Test
    void aWrongSecretIsRefusedInEachProtocolsShapeAndNothingIsWritten() {
        CloudHome.Credentials wrong = new CloudHome.Credentials(cloud.cloud().credentials().accessKeyId(), "not-the-secret");
        try (SageMakerClient sagemaker = LocalCloudFixture.sageMaker(cloud.cloud().endpoint(), wrong)) {
            SageMakerException e = assertThrows(SageMakerException.class, () -> sagemaker.listTrainingJobs(r -> { }));
            assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode());
            assertEquals(403, e.statusCode());
        }
        try (CloudWatchClient cloudwatch = CloudWatchClient.builder().endpointOverride(cloud.cloud().endpoint())
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(() -> software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(wrong.accessKeyId(),
                        wrong.secretAccessKey())).build()) {
            CloudWatchException e = assertThrows(CloudWatchException.class, () -> cloudwatch.putMetricData(r -> r.namespace("n")
                    .metricData(d -> d.metricName("m").value(1.0))));
            assertEquals("SignatureDoesNotMatch", e.awsErrorDetails().errorCode());
        }
        assertTrue(cloud.cloudwatch.listMetrics(r -> r.namespace("n")).metrics().isEmpty(), "nothing was written");
        var s3 = LocalCloudFixture.s3(cloud.cloud().endpoint(), wrong);
        SdkServiceException s3Error = assertThrows(SdkServiceException.class, () -> s3.createBucket(r -> r.bucket("never")));
        assertEquals(403, s3Error.statusCode());
        s3.close();
        assertTrue(cloud.s3.listBuckets().buckets().stream().noneMatch(b -> b.name().equals("never")));
    }

    @Test
    void malformedJsonAnUnknownOperationAndAnUnsignedRequestGetAwsErrors() throws Exception {
        JsonNode malformed = send("sagemaker", "SageMaker.ListTrainingJobs", "{not json", true);
        assertEquals("SerializationException", malformed.path("__type").asText());
        assertTrue(malformed.path("message").asText().startsWith("the request body is not valid JSON"));

        JsonNode unknown = send("sagemaker", "SageMaker.LaunchRocket", "{}", true);
        assertEquals("UnknownOperationException", unknown.path("__type").asText());
        assertEquals("SageMaker.LaunchRocket is not an operation of this local service", unknown.path("message").asText());

        JsonNode unsigned = send("sagemaker", "SageMaker.ListTrainingJobs", "{}", false);
        assertEquals("MissingAuthenticationToken", unsigned.path("__type").asText());
    }

    @Test
    void anUnservedServiceIsNamed() throws Exception {
        JsonNode ec2 = send("ec2", "AmazonEC2.RunInstances", "{}", true);
        assertEquals("UnknownServiceException", ec2.path("__type").asText());
        assertEquals("the local cloud does not serve 'ec2': it serves s3, logs, monitoring, sagemaker, sts",
                ec2.path("message").asText());
    }

    /** An awsJson request for {@code service}, signed by the SDK's signer (or not), sent raw so its body can be anything. */
    private static JsonNode send(String service, String target, String body, boolean signed) throws Exception {
        URI endpoint = cloud.cloud().endpoint();
        SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.POST).uri(endpoint.resolve("/"))
                .putHeader("Content-Type", "application/x-amz-json-1.1").putHeader("X-Amz-Target", target).build();
        if (signed) {
            SdkHttpRequest unsigned = request;
            request = AwsV4HttpSigner.create().sign(r -> r.identity(AwsCredentialsIdentity.create(
                            cloud.cloud().credentials().accessKeyId(), cloud.cloud().credentials().secretAccessKey()))
                    .request(unsigned)
                    .payload(ContentStreamProvider.fromUtf8String(body))
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")).request();
        }
        HttpRequest.Builder http = HttpRequest.newBuilder(endpoint.resolve("/")).POST(HttpRequest.BodyPublishers.ofString(body));
        for (var header : request.headers().entrySet()) {
            // The HTTP client sets these itself, to the same values.
            if (!List.of("host", "content-length").contains(header.getKey().toLowerCase(Locale.ROOT))) {
                header.getValue().forEach(v -> http.header(header.getKey(), v));
            }
        }
        HttpResponse<String> response = HTTP.send(http.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertTrue(response.statusCode() == 400 || response.statusCode() == 403, response.statusCode() + " " + response.body());
        return JsonRpc.JSON.readTree(response.body());
    }
}
