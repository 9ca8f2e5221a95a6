package dev.stratus.cloud.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.testing.LocalCloudFixture;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.cloudwatch.CloudWatchClient;
import software.amazon.awssdk.services.cloudwatch.model.CloudWatchException;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;

/** The one endpoint: routing by credential scope, and each protocol's errors for requests that must not get through. */
class RouterTest {

    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();

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

    /** An awsJson 1.1 request for {@code service}, signed by the SDK's signer (or not); the error it must get. */
    private static JsonNode send(String service, String target, String body, boolean signed) throws Exception {
        HttpResponse<String> response = cloud.sendJson(service, target, "application/x-amz-json-1.1", body,
                signed ? cloud.cloud().credentials() : null, Map.of());
        assertTrue(response.statusCode() == 400 || response.statusCode() == 403, response.statusCode() + " " + response.body());
        return JsonRpc.JSON.readTree(response.body());
    }
}
