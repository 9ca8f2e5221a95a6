package dev.stratus.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sagemaker.SageMakerClient;
import software.amazon.awssdk.services.sagemaker.model.DescribeEndpointResponse;
import software.amazon.awssdk.services.sagemaker.model.DesiredWeightAndCapacity;
import software.amazon.awssdk.services.sagemaker.model.EndpointStatus;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariant;
import software.amazon.awssdk.services.sagemaker.model.ProductionVariantInstanceType;
import software.amazon.awssdk.services.sagemaker.model.SageMakerException;
import software.amazon.awssdk.services.sagemaker.model.TrainingInstanceType;
import software.amazon.awssdk.services.sagemaker.model.TrainingJobStatus;
import software.amazon.awssdk.services.sagemakerruntime.SageMakerRuntimeClient;
import software.amazon.awssdk.services.sagemakerruntime.model.InvokeEndpointResponse;
import software.amazon.awssdk.services.sagemakerruntime.model.ModelErrorException;

/**
 * SageMaker's three built-in algorithms through the local cloud that {@code ./stratus local start} runs,
 * driven by the AWS SDK for Java exactly as against SageMaker: train with the real ECR image URIs, deploy,
 * invoke with every content type each one reads, shift traffic, update under load, delete.
 */
class BuiltInEndpointsIT {

    private static final String XGBOOST = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1";
    private static final String LINEAR_LEARNER = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1";
    private static final String KMEANS = "382416733822.dkr.ecr.us-east-1.amazonaws.com/kmeans:1";
    private static final String ROLE = "arn:aws:iam::000000000000:role/SageMakerRole";
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    Path home;
    @TempDir
    Path work;
    private LocalCloudProcess cloud;
    private SageMakerClient sagemaker;
    private SageMakerRuntimeClient runtime;

    @BeforeEach
    void startLocalCloud() throws Exception {
        cloud = LocalCloudProcess.start(home, work);
        sagemaker = cloud.sageMaker();
        runtime = cloud.runtime();
    }

    @AfterEach
    void stopLocalCloud() {
        sagemaker.close();
        runtime.close();
        cloud.close();
    }

    @Test
    void everyBuiltInTrainsDeploysAndAnswersEveryContentType() throws Exception {
        Random random = new Random(11);
        float[][] train = points(random, 1000);
        float[][] test = points(random, 100);
        float[][] blobs = blobs(random, 600);
        try (S3Client s3 = cloud.s3()) {
            s3.createBucket(b -> b.bucket("builtins"));
            s3.putObject(p -> p.bucket("builtins").key("classes/train.csv"), RequestBody.fromString(csv(train, true)));
            s3.putObject(p -> p.bucket("builtins").key("blobs/train.csv"), RequestBody.fromString(csv(blobs, false)));
        }
        train("xgb", XGBOOST, "s3://builtins/classes/", Map.of("objective", "binary:logistic", "num_round", "30", "max_depth", "3"));
        train("ll", LINEAR_LEARNER, "s3://builtins/classes/", Map.of("predictor_type", "binary_classifier", "feature_dim", "2",
                "mini_batch_size", "100"));
        train("km", KMEANS, "s3://builtins/blobs/", Map.of("k", "3", "feature_dim", "2"));
        awaitTraining("xgb");
        awaitTraining("ll");
        awaitTraining("km");
        for (String[] model : new String[][] {{"xgb", XGBOOST}, {"ll", LINEAR_LEARNER}, {"km", KMEANS}}) {
            sagemaker.createModel(m -> m.modelName(model[0]).executionRoleArn(ROLE).primaryContainer(c -> c.image(model[1])
                    .modelDataUrl("s3://builtins/output/" + model[0] + "/output/model.tar.gz")));
        }

        // One endpoint, two variants answering the same question: XGBoost and Linear Learner.
        sagemaker.createEndpointConfig(c -> c.endpointConfigName("classifier-1").productionVariants(
                variant("xgboost", "xgb", 1, 1f), variant("linear", "ll", 1, 1f)));
        sagemaker.createEndpoint(e -> e.endpointName("classifier").endpointConfigName("classifier-1"));
        sagemaker.createEndpointConfig(c -> c.endpointConfigName("clusters-1").productionVariants(variant("all", "km", 1, 1f)));
        sagemaker.createEndpoint(e -> e.endpointName("clusters").endpointConfigName("clusters-1"));
        awaitInService("classifier");
        awaitInService("clusters");

        // XGBoost: csv, libsvm, json, jsonlines in; csv (its default), json, jsonlines out.
        float[] scores = xgboostScores(invoke("classifier", "xgboost", csv(test, false), "text/csv", null), "text/csv");
        assertAccurate(scores, test, "XGBoost");
        assertArrayEquals(scores, xgboostScores(invoke("classifier", "xgboost", libsvm(test), "text/libsvm", "text/csv"), "text/csv"));
        assertScores(scores, invoke("classifier", "xgboost", instances(test), "application/json", "application/json"), "application/json");
        assertScores(scores, invoke("classifier", "xgboost", jsonLines(test), "application/jsonlines", "application/jsonlines"),
                "application/jsonlines");

        // Linear Learner: JSON by default, with score and predicted_label.
        InvokeEndpointResponse linear = invoke("classifier", "linear", csv(test, false), "text/csv", null);
        assertEquals("application/json", linear.contentType());
        JsonArray predictions = JsonParser.parseString(linear.body().asUtf8String()).getAsJsonObject().getAsJsonArray("predictions");
        float[] labels = new float[test.length];
        for (int i = 0; i < test.length; i++) {
            labels[i] = predictions.get(i).getAsJsonObject().get("predicted_label").getAsInt();
        }
        assertAccurate(labels, test, "Linear Learner");
        assertEquals(predictions, JsonParser.parseString(invoke("classifier", "linear", instances(test), "application/json", null)
                .body().asUtf8String()).getAsJsonObject().getAsJsonArray("predictions"));
        assertEquals(test.length, invoke("classifier", "linear", jsonLines(test), "application/jsonlines", "application/jsonlines")
                .body().asUtf8String().lines().count());

        // Refusals come back as ModelError with the container's status and one-line message.
        ModelErrorException unsupported = assertThrows(ModelErrorException.class,
                () -> invoke("classifier", "linear", libsvm(test), "text/libsvm", null));
        assertEquals(415, unsupported.originalStatusCode());
        assertTrue(unsupported.originalMessage().startsWith("Content-Type text/libsvm is not supported"), unsupported.originalMessage());
        ModelErrorException malformed = assertThrows(ModelErrorException.class,
                () -> invoke("classifier", "xgboost", "0.1,0.2\n0.3\n", "text/csv", null));
        assertEquals(400, malformed.originalStatusCode());
        assertEquals("record 2: expected 2 features, as the model was trained on, got 1", malformed.originalMessage());

        // Traffic splits by weight; then all of it moves to XGBoost.
        assertEquals(Set.of("xgboost", "linear"), variantsAnswering("classifier", 40));
        sagemaker.updateEndpointWeightsAndCapacities(u -> u.endpointName("classifier").desiredWeightsAndCapacities(
                DesiredWeightAndCapacity.builder().variantName("linear").desiredWeight(0f).build()));
        DescribeEndpointResponse weighted = awaitInService("classifier");
        assertEquals(0f, weighted.productionVariants().stream().filter(v -> v.variantName().equals("linear")).findFirst()
                .orElseThrow().currentWeight());
        assertEquals(Set.of("xgboost"), variantsAnswering("classifier", 20));

        // K-Means: closest_cluster and distance_to_cluster; each blob one cluster.
        assertPure(invoke("clusters", null, csv(blobs, false), "text/csv", null), blobs);
        assertPure(invoke("clusters", null, instances(blobs), "application/json", "application/json"), blobs);
        assertEquals(blobs.length, invoke("clusters", null, jsonLines(blobs), "application/jsonlines", "text/csv")
                .body().asUtf8String().lines().count());

        // Blue/green update to two instances while requests keep coming: none fails.
        sagemaker.createEndpointConfig(c -> c.endpointConfigName("clusters-2").productionVariants(variant("all", "km", 2, 1f)));
        AtomicBoolean updating = new AtomicBoolean(true);
        AtomicInteger answered = new AtomicInteger();
        Thread load = new Thread(() -> {
            while (updating.get()) {
                invoke("clusters", null, "0,0.6\n", "text/csv", null);
                answered.incrementAndGet();
            }
        });
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        load.setUncaughtExceptionHandler((thread, e) -> failures.add(e));
        load.start();
        sagemaker.updateEndpoint(u -> u.endpointName("clusters").endpointConfigName("clusters-2"));
        DescribeEndpointResponse updated = awaitInService("clusters");
        updating.set(false);
        load.join();
        assertEquals(List.of(), failures);
        assertTrue(answered.get() > 0);
        assertEquals("clusters-2", updated.endpointConfigName());
        assertEquals(2, updated.productionVariants().get(0).currentInstanceCount());

        sagemaker.deleteEndpoint(d -> d.endpointName("classifier"));
        sagemaker.deleteEndpoint(d -> d.endpointName("clusters"));
        // Deleting, then gone: as on SageMaker, DescribeEndpoint then answers a ValidationException.
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            try {
                assertEquals(EndpointStatus.DELETING, sagemaker.describeEndpoint(d -> d.endpointName("clusters")).endpointStatus());
            } catch (SageMakerException gone) {
                assertTrue(gone.getMessage().startsWith("Could not find endpoint"), gone.getMessage());
                break;
            }
            assertTrue(Instant.now().isBefore(deadline), "clusters was not deleted");
            Thread.sleep(200);
        }
    }

    private void train(String name, String image, String data, Map<String, String> hyperparameters) {
        sagemaker.createTrainingJob(j -> j.trainingJobName(name).roleArn(ROLE)
                .algorithmSpecification(a -> a.trainingImage(image).trainingInputMode("File"))
                .hyperParameters(hyperparameters)
                .inputDataConfig(c -> c.channelName("train").contentType("text/csv")
                        .dataSource(d -> d.s3DataSource(s -> s.s3DataType("S3Prefix").s3Uri(data))))
                .outputDataConfig(o -> o.s3OutputPath("s3://builtins/output"))
                .resourceConfig(r -> r.instanceType(TrainingInstanceType.ML_M5_LARGE).instanceCount(1).volumeSizeInGB(1))
                .stoppingCondition(s -> s.maxRuntimeInSeconds(600)));
    }

    private void awaitTraining(String name) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            var job = sagemaker.describeTrainingJob(d -> d.trainingJobName(name));
            if (job.trainingJobStatus() != TrainingJobStatus.IN_PROGRESS) {
                assertEquals(TrainingJobStatus.COMPLETED, job.trainingJobStatus(), name + ": " + job.failureReason());
                return;
            }
            assertTrue(Instant.now().isBefore(deadline), name + " did not finish");
            Thread.sleep(200);
        }
    }

    private DescribeEndpointResponse awaitInService(String name) throws InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            DescribeEndpointResponse endpoint = sagemaker.describeEndpoint(d -> d.endpointName(name));
            if (endpoint.endpointStatus() == EndpointStatus.IN_SERVICE) {
                return endpoint;
            }
            assertTrue(endpoint.endpointStatus() != EndpointStatus.FAILED, name + ": " + endpoint.failureReason());
            assertTrue(Instant.now().isBefore(deadline), name + " is still " + endpoint.endpointStatus());
            Thread.sleep(200);
        }
    }

    private static ProductionVariant variant(String name, String model, int instances, float weight) {
        return ProductionVariant.builder().variantName(name).modelName(model).initialInstanceCount(instances)
                .instanceType(ProductionVariantInstanceType.ML_M5_LARGE).initialVariantWeight(weight).build();
    }

    private InvokeEndpointResponse invoke(String endpoint, String variant, String body, String contentType, String accept) {
        return runtime.invokeEndpoint(r -> r.endpointName(endpoint).targetVariant(variant).contentType(contentType).accept(accept)
                .body(SdkBytes.fromUtf8String(body)));
    }

    private Set<String> variantsAnswering(String endpoint, int requests) {
        Set<String> variants = new HashSet<>();
        for (int i = 0; i < requests; i++) {
            variants.add(invoke(endpoint, null, "0.5,0.5\n", "text/csv", "application/json").invokedProductionVariant());
        }
        return variants;
    }

    private static float[] xgboostScores(InvokeEndpointResponse response, String contentType) {
        assertEquals(contentType, response.contentType());
        return toFloats(response.body().asUtf8String().lines().toList());
    }

    private static void assertScores(float[] expected, InvokeEndpointResponse response, String contentType) {
        assertEquals(contentType, response.contentType());
        String body = response.body().asUtf8String();
        List<String> scores = contentType.equals("application/json")
                ? JsonParser.parseString(body).getAsJsonObject().getAsJsonArray("predictions").asList().stream()
                        .map(p -> p.getAsJsonObject().get("score").getAsString()).toList()
                : body.lines().map(line -> JsonParser.parseString(line).getAsJsonObject().get("score").getAsString()).toList();
        assertArrayEquals(expected, toFloats(scores));
    }

    private static float[] toFloats(List<String> values) {
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = Float.parseFloat(values.get(i));
        }
        return floats;
    }

    /** At least 90% right on the separable test set: class 1 when x1 + x2 > 0. */
    private static void assertAccurate(float[] scores, float[][] test, String algorithm) {
        int correct = 0;
        for (int i = 0; i < test.length; i++) {
            correct += (scores[i] > 0.5) == (test[i][0] + test[i][1] > 0) ? 1 : 0;
        }
        assertTrue(correct >= 0.9 * test.length, algorithm + " accuracy " + correct + "/" + test.length);
    }

    /** Blob i % 3 of the rows all in one cluster, three clusters in all. */
    private static void assertPure(InvokeEndpointResponse response, float[][] blobs) {
        assertEquals("application/json", response.contentType());
        JsonArray predictions = JsonParser.parseString(response.body().asUtf8String()).getAsJsonObject().getAsJsonArray("predictions");
        Map<Integer, Set<Integer>> clusters = new HashMap<>();
        for (int i = 0; i < blobs.length; i++) {
            JsonObject prediction = predictions.get(i).getAsJsonObject();
            assertTrue(prediction.get("distance_to_cluster").getAsDouble() < 0.5, prediction.toString());
            clusters.computeIfAbsent(i % 3, b -> new HashSet<>()).add(prediction.get("closest_cluster").getAsInt());
        }
        Set<Integer> all = new HashSet<>();
        clusters.values().forEach(ofBlob -> {
            assertEquals(1, ofBlob.size(), clusters.toString());
            all.addAll(ofBlob);
        });
        assertEquals(3, all.size(), clusters.toString());
    }

    private static float[][] points(Random random, int rows) {
        float[][] points = new float[rows][];
        for (int i = 0; i < rows; i++) {
            points[i] = new float[] {random.nextFloat() * 2 - 1, random.nextFloat() * 2 - 1};
        }
        return points;
    }

    private static float[][] blobs(Random random, int rows) {
        float[][] centers = {{-0.6f, -0.6f}, {0.6f, -0.6f}, {0f, 0.6f}};
        float[][] points = new float[rows][];
        for (int i = 0; i < rows; i++) {
            float[] center = centers[i % 3];
            points[i] = new float[] {center[0] + (float) (0.1 * random.nextGaussian()), center[1] + (float) (0.1 * random.nextGaussian())};
        }
        return points;
    }

    /** With {@code label}, SageMaker's training CSV: the label (x1 + x2 > 0) first. */
    private static String csv(float[][] points, boolean label) {
        StringBuilder csv = new StringBuilder();
        for (float[] p : points) {
            if (label) {
                csv.append(p[0] + p[1] > 0 ? 1 : 0).append(',');
            }
            csv.append(String.format(Locale.ROOT, "%s,%s%n", p[0], p[1]));
        }
        return csv.toString();
    }

    private static String libsvm(float[][] points) {
        StringBuilder libsvm = new StringBuilder();
        for (float[] p : points) {
            libsvm.append(String.format(Locale.ROOT, "0 0:%s 1:%s%n", p[0], p[1]));
        }
        return libsvm.toString();
    }

    private static String instances(float[][] points) {
        StringBuilder json = new StringBuilder("{\"instances\": [");
        for (int i = 0; i < points.length; i++) {
            json.append(i == 0 ? "" : ", ").append("{\"features\": [").append(points[i][0]).append(", ").append(points[i][1]).append("]}");
        }
        return json.append("]}").toString();
    }

    private static String jsonLines(float[][] points) {
        StringBuilder lines = new StringBuilder();
        for (float[] p : points) {
            lines.append("{\"features\": [").append(p[0]).append(", ").append(p[1]).append("]}\n");
        }
        return lines.toString();
    }
}
