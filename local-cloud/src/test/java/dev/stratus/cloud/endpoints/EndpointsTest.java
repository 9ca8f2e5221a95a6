package dev.stratus.cloud.endpoints;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.cloud.testing.InvocationLoad;
import dev.stratus.cloud.testing.LocalCloudFixture;
import dev.stratus.cloud.testing.ModelArchives;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.cloudwatch.model.Datapoint;
import software.amazon.awssdk.services.cloudwatch.model.GetMetricStatisticsResponse;
import software.amazon.awssdk.services.cloudwatch.model.Statistic;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariant;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariantSummary;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelErrorException;
import software.amazon.awssdk.services.sagemakerruntime.model.ServiceUnavailableException;
import software.amazon.awssdk.services.sagemakerruntime.model.ValidationErrorException;

/**
 * Models, endpoint configurations and endpoints that really serve, driven by the AWS SDK's SageMaker, SageMaker
 * Runtime, S3, Logs and CloudWatch clients, with the test model server as the image.
 */
class EndpointsTest {

    private static final String ARN = "arn:aws:sagemaker:us-east-1:000000000000:";

    @RegisterExtension
    static final LocalCloudFixture cloud = new LocalCloudFixture();

    @BeforeAll
    static void start() throws Exception {
        cloud.s3.createBucket(r -> r.bucket("models"));
        upload("v1/model.tar.gz", ModelArchives.model(2, 10));
        upload("v2/model.tar.gz", ModelArchives.model(1, 100));
        model("v1", "s3://models/v1/model.tar.gz", Map.of("GREETING", "hello"));
        model("v2", "s3://models/v2/model.tar.gz", Map.of());
    }

    static void upload(String key, byte[] archive) {
        cloud.s3.putObject(r -> r.bucket("models").key(key), RequestBody.fromBytes(archive));
    }

    static void model(String name, String modelDataUrl, Map<String, String> environment) {
        model(name, LocalCloudFixture.MODEL_SERVER_IMAGE, modelDataUrl, environment);
    }

    static void model(String name, String image, String modelDataUrl, Map<String, String> environment) {
        cloud.sagemaker.createModel(r -> r.modelName(name).executionRoleArn(LocalCloudFixture.ROLE)
                .primaryContainer(c -> c.image(image).modelDataUrl(modelDataUrl).environment(environment)));
    }

    static ProductionVariant variant(String name, String model, int instances, float weight) {
        return ProductionVariant.builder().variantName(name).modelName(model).initialInstanceCount(instances)
                .instanceType("ml.m5.large").initialVariantWeight(weight).build();
    }

    static void config(String name, ProductionVariant... variants) {
        cloud.sagemaker.createEndpointConfig(r -> r.endpointConfigName(name).productionVariants(variants));
    }

    /** Creates an endpoint with one variant of {@code model} and waits until it has settled. */
    static DescribeEndpointResponse endpoint(String name, String model, int instances) throws InterruptedException {
        config(name + "-config", variant("AllTraffic", model, instances, 1));
        cloud.sagemaker.createEndpoint(r -> r.endpointName(name).endpointConfigName(name + "-config"));
        return cloud.awaitEndpointSettled(name);
    }

    static InvokeEndpointResponse invoke(String endpoint, String body) {
        return cloud.runtime.invokeEndpoint(r -> r.endpointName(endpoint).contentType("text/csv").body(SdkBytes.fromUtf8String(body)));
    }

    static String answer(String endpoint, String body) {
        return invoke(endpoint, body).body().asUtf8String();
    }

    static void deleteAndAwait(String endpoint) throws InterruptedException {
        cloud.sagemaker.deleteEndpoint(r -> r.endpointName(endpoint));
        awaitGone(endpoint);
    }

    static void awaitGone(String endpoint) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            try {
                cloud.sagemaker.describeEndpoint(r -> r.endpointName(endpoint));
            } catch (SageMakerException gone) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("endpoint " + endpoint + " was not deleted");
    }

    static long pid(String endpoint, String slot) throws Exception {
        return Long.parseLong(Files.readString(cloud.home().resolve("endpoints/" + endpoint + "/runtime/" + slot + "/process")).split(" ")[0]);
    }

    static void assertValidation(String expected, Runnable call) {
        SageMakerException e = assertThrows(SageMakerException.class, call::run);
        assertEquals("ValidationException", e.awsErrorDetails().errorCode(), e.toString());
        assertTrue(e.awsErrorDetails().errorMessage().contains(expected), e.awsErrorDetails().errorMessage());
        assertFalse(e.awsErrorDetails().errorMessage().contains("\n"));
    }

    @Test
    void modelsAndConfigurationsAreKeptAndCheckedAsSageMakerDoes() {
        cloud.sagemaker.createModel(r -> r.modelName("records").executionRoleArn(LocalCloudFixture.ROLE)
                .primaryContainer(c -> c.image(LocalCloudFixture.MODEL_SERVER_IMAGE).modelDataUrl("s3://models/v1/model.tar.gz")
                        .environment(Map.of("A", "1"))));
        var model = cloud.sagemaker.describeModel(r -> r.modelName("records"));
        assertEquals(ARN + "model/records", model.modelArn());
        assertEquals(Map.of("A", "1"), model.primaryContainer().environment());
        assertEquals(LocalCloudFixture.ROLE, model.executionRoleArn());
        SageMakerException duplicate = assertThrows(SageMakerException.class, () -> model("records", "s3://models/v1/model.tar.gz", Map.of()));
        assertEquals("ResourceInUse", duplicate.awsErrorDetails().errorCode());
        assertEquals("Cannot create already existing model \"" + ARN + "model/records\".", duplicate.awsErrorDetails().errorMessage());
        assertValidation("Value 'bad_name' at 'modelName' failed to satisfy constraint", () -> model("bad_name", "s3://models/x", Map.of()));
        assertValidation("Value '/tmp/model.tar.gz' at 'primaryContainer.modelDataUrl'", () -> model("bad-url", "/tmp/model.tar.gz", Map.of()));
        assertValidation("Inference pipelines (2 Containers) are not supported locally", () -> cloud.sagemaker.createModel(r -> r
                .modelName("pipeline").containers(c -> c.image("a"), c -> c.image("b"))));
        assertTrue(cloud.sagemaker.listModels(r -> r.nameContains("record")).models().stream()
                .anyMatch(m -> m.modelName().equals("records") && m.modelArn().equals(ARN + "model/records")));

        config("records-config", variant("A", "records", 1, 1), ProductionVariant.builder().variantName("B").modelName("records")
                .initialInstanceCount(2).instanceType("ml.m5.large").build());
        var config = cloud.sagemaker.describeEndpointConfig(r -> r.endpointConfigName("records-config"));
        assertEquals(ARN + "endpoint-config/records-config", config.endpointConfigArn());
        assertEquals(1.0f, config.productionVariants().get(1).initialVariantWeight(), "SageMaker's default weight");
        assertEquals(2, config.productionVariants().get(1).initialInstanceCount());
        assertTrue(cloud.sagemaker.listEndpointConfigs(r -> r.nameContains("records")).endpointConfigs().stream()
                .anyMatch(c -> c.endpointConfigName().equals("records-config")));
        assertValidation("Could not find model \"" + ARN + "model/missing\".", () -> config("bad-config", variant("A", "missing", 1, 1)));
        assertValidation("A appears more than once", () -> config("twice", variant("A", "records", 1, 1), variant("A", "records", 1, 1)));
        assertValidation("Value '0' at 'productionVariants.member.initialInstanceCount'", () -> config("none",
                variant("A", "records", 0, 1)));
        assertThrows(SageMakerException.class, () -> cloud.sagemaker.describeEndpointConfig(r -> r.endpointConfigName("twice")),
                "nothing was written for a refused configuration");

        assertValidation("Could not find endpoint configuration \"" + ARN + "endpoint-config/missing\".",
                () -> cloud.sagemaker.createEndpoint(r -> r.endpointName("no-config").endpointConfigName("missing")));
        assertValidation("Could not find endpoint \"" + ARN + "endpoint/missing\".",
                () -> cloud.sagemaker.describeEndpoint(r -> r.endpointName("missing")));
        assertValidation("Could not find endpoint \"" + ARN + "endpoint/missing\".",
                () -> cloud.sagemaker.deleteEndpoint(r -> r.endpointName("missing")));

        cloud.sagemaker.deleteEndpointConfig(r -> r.endpointConfigName("records-config"));
        cloud.sagemaker.deleteModel(r -> r.modelName("records"));
        assertValidation("Could not find model \"" + ARN + "model/records\".", () -> cloud.sagemaker.describeModel(r -> r.modelName("records")));
        assertValidation("Could not find endpoint configuration", () -> cloud.sagemaker.deleteEndpointConfig(r -> r
                .endpointConfigName("records-config")));
    }

    @Test
    void anEndpointServesItsUnpackedModel() throws Exception {
        Instant before = Instant.now().minusSeconds(60);
        config("served-config", variant("AllTraffic", "v1", 1, 1));
        assertEquals(ARN + "endpoint/served", cloud.sagemaker.createEndpoint(r -> r.endpointName("served")
                .endpointConfigName("served-config")).endpointArn());
        assertEquals("Creating", cloud.sagemaker.describeEndpoint(r -> r.endpointName("served")).endpointStatusAsString());
        SageMakerException duplicate = assertThrows(SageMakerException.class, () -> cloud.sagemaker.createEndpoint(r -> r
                .endpointName("served").endpointConfigName("served-config")));
        assertEquals("ResourceInUse", duplicate.awsErrorDetails().errorCode());
        assertEquals("Cannot create already existing endpoint \"" + ARN + "endpoint/served\".", duplicate.awsErrorDetails().errorMessage());

        DescribeEndpointResponse endpoint = cloud.awaitEndpointSettled("served");
        assertEquals("InService", endpoint.endpointStatusAsString(), endpoint.toString());
        assertEquals("served-config", endpoint.endpointConfigName());
        ProductionVariantSummary variant = endpoint.productionVariants().get(0);
        assertEquals("AllTraffic", variant.variantName());
        assertEquals(1, variant.currentInstanceCount());
        assertEquals(1.0f, variant.currentWeight());
        assertEquals(LocalCloudFixture.MODEL_SERVER_IMAGE, variant.deployedImages().get(0).specifiedImage());
        assertTrue(cloud.sagemaker.listEndpoints(r -> r.nameContains("served").statusEquals("InService")).endpoints().stream()
                .anyMatch(e -> e.endpointName().equals("served")));

        // The model was unpacked into model/: scale 2, bias 10.
        InvokeEndpointResponse csv = invoke("served", "1,2\n3,4");
        assertEquals("16.0\n24.0\n", csv.body().asUtf8String());
        assertEquals("text/csv", csv.contentType());
        assertEquals("AllTraffic", csv.invokedProductionVariant());
        InvokeEndpointResponse json = cloud.runtime.invokeEndpoint(r -> r.endpointName("served").contentType("text/csv")
                .accept("application/json").customAttributes("trace=7").body(SdkBytes.fromUtf8String("1,1")));
        assertEquals("{\"predictions\": [14.0]}", json.body().asUtf8String());
        assertEquals("application/json", json.contentType());
        assertEquals("echo:trace=7", json.customAttributes());
        assertEquals("abc-123", cloud.runtime.invokeEndpoint(r -> r.endpointName("served").contentType("text/plain")
                .inferenceId("abc-123").body(SdkBytes.fromUtf8String("inference-id"))).body().asUtf8String());
        assertEquals("hello", answer("served", "env GREETING"), "the container's Environment");
        assertEquals(cloud.home().resolve("endpoints/served/AllTraffic-1").toString(), answer("served", "env SAGEMAKER_BASE_DIR"));
        assertTrue(answer("served", "env SAGEMAKER_BIND_TO_PORT").matches("\\d+"));
        assertEquals("a file in a folder\n", Files.readString(cloud.home().resolve("endpoints/served/AllTraffic-1/model/nested/notes.txt")));

        ModelErrorException failed = assertThrows(ModelErrorException.class, () -> invoke("served", "fail"));
        assertEquals(424, failed.statusCode());
        assertEquals(500, failed.originalStatusCode());
        assertEquals("the model failed on request", failed.originalMessage());
        assertTrue(failed.awsErrorDetails().errorMessage().startsWith("Received server error (500) from primary with message"
                + " \"the model failed on request\"."), failed.awsErrorDetails().errorMessage());
        assertTrue(failed.logStreamArn().endsWith(":log-group:/aws/sagemaker/Endpoints/served"), failed.logStreamArn());
        ModelErrorException badInput = assertThrows(ModelErrorException.class, () -> invoke("served", "not,numbers"));
        assertEquals(400, badInput.originalStatusCode());

        ValidationErrorException missing = assertThrows(ValidationErrorException.class, () -> invoke("nowhere", "1"));
        assertEquals(400, missing.statusCode());
        assertEquals("Endpoint nowhere of account 000000000000 not found.", missing.awsErrorDetails().errorMessage());
        ValidationErrorException tooLarge = assertThrows(ValidationErrorException.class, () -> cloud.runtime.invokeEndpoint(r -> r
                .endpointName("served").contentType("text/csv").body(SdkBytes.fromByteArray(new byte[6 * 1024 * 1024 + 1]))));
        assertEquals(413, tooLarge.statusCode());
        assertValidationError("has no production variant named Nope", () -> cloud.runtime.invokeEndpoint(r -> r
                .endpointName("served").targetVariant("Nope").contentType("text/csv").body(SdkBytes.fromUtf8String("1"))));
        assertEquals("3.0\n", cloud.runtime.invokeEndpoint(r -> r.endpointName("served").targetVariant("AllTraffic")
                .contentType("text/csv").body(SdkBytes.fromUtf8String("-3.5"))).body().asUtf8String());

        // 9 reached the model (1 server error, 1 client error among them); latencies in microseconds.
        GetMetricStatisticsResponse invocations = awaitMetric("served", "Invocations", before, 9);
        assertEquals(9.0, sum(invocations), invocations.toString());
        assertEquals(1.0, sum(metric("served", "Invocation5XXErrors", before, Statistic.SUM)));
        assertEquals(1.0, sum(metric("served", "Invocation4XXErrors", before, Statistic.SUM)));
        GetMetricStatisticsResponse latency = metric("served", "ModelLatency", before, Statistic.SAMPLE_COUNT, Statistic.MINIMUM);
        assertEquals(9.0, latency.datapoints().stream().mapToDouble(Datapoint::sampleCount).sum());
        assertTrue(latency.datapoints().stream().allMatch(d -> d.minimum() > 0 && d.unitAsString().equals("Microseconds")));
        assertEquals(9.0, metric("served", "OverheadLatency", before, Statistic.SAMPLE_COUNT).datapoints().stream()
                .mapToDouble(Datapoint::sampleCount).sum());

        // The container's output is in CloudWatch Logs, a stream per instance.
        String group = "/aws/sagemaker/Endpoints/served";
        String stream = awaitLogStream(group);
        assertTrue(stream.matches("AllTraffic/i-[0-9a-f]{17}"), stream);
        awaitLogLine(group, stream, "test model server on port");

        String status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cloud.cloud().endpoint() + "/_stratus/status"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(new ObjectMapper().readTree(status).path("endpoints").asInt() >= 1, status);

        long pid = pid("served", "AllTraffic-1");
        cloud.sagemaker.deleteEndpoint(r -> r.endpointName("served"));
        try {
            assertEquals("Deleting", cloud.sagemaker.describeEndpoint(r -> r.endpointName("served")).endpointStatusAsString());
            cloud.sagemaker.deleteEndpoint(r -> r.endpointName("served")); // again while Deleting: changes nothing
        } catch (SageMakerException goneAlready) {
            // Its instance stopped within milliseconds: Deleting was over before the Describe.
        }
        awaitGone("served");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "the instance was stopped");
        assertFalse(Files.exists(cloud.home().resolve("endpoints/served")));
        assertThrows(ValidationErrorException.class, () -> invoke("served", "1"));
    }

    @Test
    void trafficIsSplitByWeightAndTargetVariantPinsIt() throws Exception {
        config("split-config", variant("Small", "v1", 1, 1), variant("Large", "v2", 1, 3));
        cloud.sagemaker.createEndpoint(r -> r.endpointName("split").endpointConfigName("split-config"));
        assertEquals("InService", cloud.awaitEndpointSettled("split").endpointStatusAsString());

        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 200; i++) {
            InvokeEndpointResponse response = invoke("split", "1");
            counts.merge(response.invokedProductionVariant(), 1, Integer::sum);
            // Each variant serves its own model: v1 answers 12, v2 101.
            assertEquals(response.invokedProductionVariant().equals("Small") ? "12.0\n" : "101.0\n", response.body().asUtf8String());
        }
        assertTrue(counts.getOrDefault("Large", 0) >= 120 && counts.getOrDefault("Large", 0) <= 180, "weights 1:3 give about 150 of"
                + " 200 to Large: " + counts);
        for (int i = 0; i < 10; i++) {
            assertEquals("Small", cloud.runtime.invokeEndpoint(r -> r.endpointName("split").targetVariant("Small")
                    .contentType("text/csv").body(SdkBytes.fromUtf8String("1"))).invokedProductionVariant());
        }

        cloud.sagemaker.updateEndpointWeightsAndCapacities(r -> r.endpointName("split").desiredWeightsAndCapacities(
                d -> d.variantName("Small").desiredWeight(0f), d -> d.variantName("Large").desiredInstanceCount(2)));
        assertEquals("Updating", cloud.sagemaker.describeEndpoint(r -> r.endpointName("split")).endpointStatusAsString());
        DescribeEndpointResponse updated = cloud.awaitEndpointSettled("split");
        assertEquals("InService", updated.endpointStatusAsString(), updated.toString());
        Map<String, ProductionVariantSummary> variants = new HashMap<>();
        updated.productionVariants().forEach(v -> variants.put(v.variantName(), v));
        assertEquals(0f, variants.get("Small").currentWeight());
        assertEquals(2, variants.get("Large").currentInstanceCount());
        Set<String> pids = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            InvokeEndpointResponse response = invoke("split", "pid");
            assertEquals("Large", response.invokedProductionVariant());
            pids.add(response.body().asUtf8String());
        }
        assertEquals(2, pids.size(), "both Large instances take traffic: " + pids);
        assertValidation("has no production variant named Medium", () -> cloud.sagemaker.updateEndpointWeightsAndCapacities(r -> r
                .endpointName("split").desiredWeightsAndCapacities(d -> d.variantName("Medium").desiredWeight(1f))));
        deleteAndAwait("split");
    }

    @Test
    void updateEndpointMovesTrafficToTheNewConfigurationWithoutAFailedRequest() throws Exception {
        endpoint("blue-green", "v1", 1);
        config("blue-green-v2", variant("AllTraffic", "v2", 1, 1));
        model("broken", "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest", "s3://models/v1/model.tar.gz", Map.of());
        config("blue-green-broken", variant("AllTraffic", "broken", 1, 1));
        long bluePid = pid("blue-green", "AllTraffic-1");

        try (InvocationLoad load = new InvocationLoad(cloud.cloud().endpoint(), cloud.cloud().credentials(), "blue-green", "1",
                Duration.ofSeconds(20), 2000)) {
            load.awaitRequests(20);
            cloud.sagemaker.updateEndpoint(r -> r.endpointName("blue-green").endpointConfigName("blue-green-v2"));
            DescribeEndpointResponse updating = cloud.sagemaker.describeEndpoint(r -> r.endpointName("blue-green"));
            assertEquals("Updating", updating.endpointStatusAsString());
            assertEquals("blue-green-v2", updating.pendingDeploymentSummary().endpointConfigName());
            assertValidation("Cannot update in-progress endpoint \"" + ARN + "endpoint/blue-green\".", () -> cloud.sagemaker
                    .updateEndpoint(r -> r.endpointName("blue-green").endpointConfigName("blue-green-v2")));
            DescribeEndpointResponse updated = cloud.awaitEndpointSettled("blue-green");
            assertEquals("InService", updated.endpointStatusAsString(), updated.toString());
            assertEquals("blue-green-v2", updated.endpointConfigName());
            assertEquals(null, updated.pendingDeploymentSummary());
            assertFalse(ProcessHandle.of(bluePid).map(ProcessHandle::isAlive).orElse(false), "the old instance was stopped");
            load.awaitRequests(20);

            // A new configuration that cannot start: AWS rolls back, so traffic stays where it is.
            cloud.sagemaker.updateEndpoint(r -> r.endpointName("blue-green").endpointConfigName("blue-green-broken"));
            DescribeEndpointResponse rolledBack = cloud.awaitEndpointSettled("blue-green");
            assertEquals("InService", rolledBack.endpointStatusAsString());
            assertEquals("blue-green-v2", rolledBack.endpointConfigName());
            assertTrue(rolledBack.failureReason().contains("rolled back to its current configuration: Production variant AllTraffic:"
                    + " image '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest' is not supported locally"),
                    rolledBack.failureReason());
            load.awaitRequests(20);
            load.stop();

            assertEquals(List.of(), load.failures().stream().map(SdkException::getMessage).toList(),
                    "no request failed in " + load.requests());
            List<String> answers = load.answers();
            int switched = answers.indexOf("101.0\n");
            assertTrue(switched > 0, "the old model answered first: " + answers.subList(0, Math.min(answers.size(), 5)));
            assertTrue(answers.subList(0, switched).stream().allMatch("12.0\n"::equals));
            assertTrue(answers.subList(switched, answers.size()).stream().allMatch("101.0\n"::equals), "once switched, only the new model answers");
        }
        deleteAndAwait("blue-green");
    }

    @Test
    void aKilledInstanceIsReplacedAndFailsNoRequestWhileAnotherServes() throws Exception {
        endpoint("sturdy", "v1", 2);
        long first = pid("sturdy", "AllTraffic-1");
        try (InvocationLoad load = new InvocationLoad(cloud.cloud().endpoint(), cloud.cloud().credentials(), "sturdy", "1",
                Duration.ofSeconds(20), 2000)) {
            load.awaitRequests(20);
            ProcessHandle.of(first).orElseThrow().destroyForcibly();
            awaitNewPid("sturdy", "AllTraffic-1", first);
            load.awaitRequests(50);
            load.stop();
            assertEquals(List.of(), load.failures().stream().map(SdkException::getMessage).toList(),
                    "no request failed in " + load.requests());
        }
        awaitAnswerFrom("sturdy", pid("sturdy", "AllTraffic-1"));

        // Down to one instance: while it is replaced, requests fail cleanly with a 5xx, and it is back within seconds.
        cloud.sagemaker.updateEndpointWeightsAndCapacities(r -> r.endpointName("sturdy").desiredWeightsAndCapacities(
                d -> d.variantName("AllTraffic").desiredInstanceCount(1)));
        assertEquals(1, cloud.awaitEndpointSettled("sturdy").productionVariants().get(0).currentInstanceCount());
        long only = pid("sturdy", "AllTraffic-1");
        try (InvocationLoad load = new InvocationLoad(cloud.cloud().endpoint(), cloud.cloud().credentials(), "sturdy", "1",
                Duration.ofSeconds(20), 2000)) {
            load.awaitRequests(10);
            Instant killed = Instant.now();
            ProcessHandle.of(only).orElseThrow().destroyForcibly();
            long replacement = awaitNewPid("sturdy", "AllTraffic-1", only);
            awaitAnswerFrom("sturdy", replacement);
            assertTrue(Duration.between(killed, Instant.now()).toSeconds() < 15, "back within seconds");
            load.awaitRequests(10);
            load.stop();
            for (SdkException failure : load.failures()) {
                assertTrue(failure instanceof ServiceUnavailableException || failure instanceof ModelErrorException, failure.toString());
                assertTrue(((SdkServiceException) failure).statusCode() >= 500 || failure instanceof ModelErrorException, failure.toString());
            }
        }
        deleteAndAwait("sturdy");
    }

    @Test
    void unsafeOrMissingModelsFailTheEndpointWithTheReason() throws Exception {
        String outside = "stratus-escape-" + UUID.randomUUID() + ".txt";
        Map<String, byte[]> hostile = Map.of(
                "dotdot", ModelArchives.of(tar -> ModelArchives.file(tar, "../../../" + outside, "x")),
                "absolute", ModelArchives.of(tar -> ModelArchives.file(tar, "/tmp/" + outside, "x")),
                "link-out", ModelArchives.of(tar -> {
                    ModelArchives.symlink(tar, "data", "/tmp");
                    ModelArchives.file(tar, "data/" + outside, "x");
                }),
                "link-chain", ModelArchives.of(tar -> {
                    ModelArchives.folder(tar, "x");
                    ModelArchives.symlink(tar, "x/up", "..");
                    ModelArchives.symlink(tar, "y", "x/up/..");
                    ModelArchives.file(tar, "y/" + outside, "x");
                }));
        Map<String, String> reasons = Map.of(
                "dotdot", "its entry '../../../" + outside + "' would be written outside the model folder",
                "absolute", "its entry '/tmp/" + outside + "' would be written outside the model folder",
                "link-out", "its entry 'data' is a symbolic link to /tmp, outside the model folder",
                "link-chain", "its entry 'y/" + outside + "' would be written through a symbolic link that leads outside");
        for (var archive : hostile.entrySet()) {
            String name = "hostile-" + archive.getKey();
            upload(name + "/model.tar.gz", archive.getValue());
            model(name, "s3://models/" + name + "/model.tar.gz", Map.of());
            DescribeEndpointResponse endpoint = endpoint(name, name, 1);
            assertEquals("Failed", endpoint.endpointStatusAsString());
            assertTrue(endpoint.failureReason().startsWith("Model data s3://models/" + name + "/model.tar.gz is refused: "
                    + reasons.get(archive.getKey())), endpoint.failureReason());
            assertTrue(endpoint.failureReason().endsWith(": pack the archive with paths relative to the model folder"
                    + " (tar czf model.tar.gz -C model .)"), endpoint.failureReason());
        }
        try (var files = Files.walk(cloud.home().getParent())) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().equals(outside)).toList(), "nothing written outside");
        }
        assertFalse(Files.exists(Path.of("/tmp", outside)));

        model("no-archive", "s3://models/not/there.tar.gz", Map.of());
        assertEquals("Failed to download model data for production variant AllTraffic from URL \"s3://models/not/there.tar.gz\":"
                + " there is no object at that URL: upload the model.tar.gz there (or fix ModelDataUrl)",
                endpoint("no-archive", "no-archive", 1).failureReason());
        model("unknown-image", "123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest", "s3://models/v1/model.tar.gz", Map.of());
        assertTrue(endpoint("unknown-image", "unknown-image", 1).failureReason().startsWith("Production variant AllTraffic: image"
                + " '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-own:latest' is not supported locally; supported are"));
        upload("empty/model.tar.gz", ModelArchives.of(Map.of("readme.txt", "no model.txt here")));
        model("exits", "s3://models/empty/model.tar.gz", Map.of());
        String exited = endpoint("exits", "exits", 1).failureReason();
        assertTrue(exited.startsWith("The primary container for production variant AllTraffic did not pass the ping health check:"
                + " its process (" + LocalCloudFixture.MODEL_SERVER_IMAGE + " serve) exited with code 2, last output: 'no model: "), exited);

        assertValidationError("Endpoint exits of account 000000000000 not found. It is Failed", () -> invoke("exits", "1"));
        assertValidation("Cannot update in-progress endpoint", () -> cloud.sagemaker.updateEndpoint(r -> r.endpointName("exits")
                .endpointConfigName("exits-config")));
        deleteAndAwait("exits");
    }

    @Test
    void aContainerThatNeverAnswersPingFailsTheEndpointAfterTheTimeout(@TempDir Path otherHome) throws Exception {
        try (LocalCloudFixture quick = new LocalCloudFixture(otherHome, Duration.ofSeconds(2))) {
            quick.s3.createBucket(r -> r.bucket("models"));
            quick.s3.putObject(r -> r.bucket("models").key("model.tar.gz"), RequestBody.fromBytes(ModelArchives.model(1, 0)));
            quick.sagemaker.createModel(r -> r.modelName("unwell").executionRoleArn(LocalCloudFixture.ROLE).primaryContainer(c -> c
                    .image(LocalCloudFixture.MODEL_SERVER_IMAGE).modelDataUrl("s3://models/model.tar.gz")
                    .environment(Map.of("TEST_PING_STATUS", "503"))));
            quick.sagemaker.createEndpointConfig(r -> r.endpointConfigName("unwell").productionVariants(variant("AllTraffic", "unwell", 1, 1)));
            quick.sagemaker.createEndpoint(r -> r.endpointName("unwell").endpointConfigName("unwell"));
            DescribeEndpointResponse endpoint = quick.awaitEndpoint("unwell", e -> !e.endpointStatusAsString().equals("Creating"),
                    Duration.ofSeconds(30));
            assertEquals("Failed", endpoint.endpointStatusAsString());
            assertEquals("The primary container for production variant AllTraffic did not pass the ping health check within 2"
                    + " seconds (GET /ping must answer 200): see CloudWatch Logs group /aws/sagemaker/Endpoints/unwell",
                    endpoint.failureReason());
            assertFalse(Files.exists(otherHome.resolve("endpoints/unwell/AllTraffic-1")), "the instance was stopped and removed");
        }
    }

    private static void assertValidationError(String expected, Runnable call) {
        ValidationErrorException e = assertThrows(ValidationErrorException.class, call::run);
        assertTrue(e.awsErrorDetails().errorMessage().contains(expected), e.awsErrorDetails().errorMessage());
    }

    /** Waits until the instance in {@code slot} runs a process other than {@code old}; returns its pid. */
    private static long awaitNewPid(String endpoint, String slot, long old) throws Exception {
        Instant deadline = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(deadline)) {
            try {
                long pid = pid(endpoint, slot);
                if (pid != old) {
                    return pid;
                }
            } catch (java.io.IOException | NumberFormatException | ArrayIndexOutOfBoundsException beingWritten) {
                // the file is being replaced
            }
            Thread.sleep(20);
        }
        throw new AssertionError("instance " + slot + " of " + endpoint + " was not started again");
    }

    /** Waits until the process {@code pid} answers a request (it has passed its health check). */
    private static void awaitAnswerFrom(String endpoint, long pid) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(15);
        while (Instant.now().isBefore(deadline)) {
            try {
                for (int i = 0; i < 4; i++) {
                    if (answer(endpoint, "pid").equals(Long.toString(pid))) {
                        return;
                    }
                }
            } catch (SdkServiceException notYet) {
                // no healthy instance yet
            }
            Thread.sleep(50);
        }
        throw new AssertionError("process " + pid + " of " + endpoint + " never answered");
    }

    private static GetMetricStatisticsResponse metric(String endpoint, String name, Instant from, Statistic... statistics) {
        return cloud.cloudwatch.getMetricStatistics(r -> r.namespace("AWS/SageMaker").metricName(name)
                .dimensions(d -> d.name("EndpointName").value(endpoint), d -> d.name("VariantName").value("AllTraffic"))
                .startTime(from).endTime(Instant.now().plusSeconds(120)).period(3600).statistics(statistics));
    }

    private static double sum(GetMetricStatisticsResponse response) {
        return response.datapoints().stream().mapToDouble(Datapoint::sum).sum();
    }

    /** Metrics are written off the request's thread: waits until {@code count} invocations are there. */
    private static GetMetricStatisticsResponse awaitMetric(String endpoint, String name, Instant from, double count)
            throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        GetMetricStatisticsResponse response;
        do {
            response = metric(endpoint, name, from, Statistic.SUM);
            if (sum(response) >= count) {
                return response;
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        return response;
    }

    /** The first stream of {@code group}, once the container's first output has been shipped (it is, asynchronously). */
    private static String awaitLogStream(String group) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            try {
                var streams = cloud.logs.describeLogStreams(r -> r.logGroupName(group)).logStreams();
                if (!streams.isEmpty()) {
                    return streams.get(0).logStreamName();
                }
            } catch (software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException notYet) {
                // The group is made with the first shipped line.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no log stream in " + group + " after 10 s");
    }

    private static void awaitLogLine(String group, String stream, String start) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(10);
        List<String> lines = List.of();
        while (Instant.now().isBefore(deadline)) {
            lines = cloud.logs.getLogEvents(r -> r.logGroupName(group).logStreamName(stream).startFromHead(true)).events().stream()
                    .map(e -> e.message()).toList();
            if (lines.stream().anyMatch(l -> l.startsWith(start))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no line starting with '" + start + "' in " + stream + ": " + lines);
    }
}
