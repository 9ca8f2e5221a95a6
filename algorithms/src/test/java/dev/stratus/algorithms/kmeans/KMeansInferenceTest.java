package dev.stratus.algorithms.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import dev.stratus.algorithms.serving.ServedModel;

/** A K-Means model served over HTTP: closest_cluster and distance_to_cluster, the clusters pure. */
class KMeansInferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path base;

    @Test
    void eachRecordGetsItsClosestClusterAndDistance() throws Exception {
        Dataset blobs = Dataset.threeBlobs(1500, 2);
        ContainerFixture job = new ContainerFixture(base).hyperparameters("k", "3", "feature_dim", "2")
                .channel("train", "text/csv", Map.of("train.csv", blobs.rows(0, 1200).featuresCsv()));
        new KMeansTrainer(new PrintStream(OutputStream.nullOutputStream())).train(job.context());
        Dataset test = blobs.rows(1200, 1500);

        try (ServedModel served = ServedModel.start(new KMeansInference(), job.context().modelDir())) {
            JsonNode predictions = JSON.readTree(served.invoke(test.instancesJson(), "application/json", null).body())
                    .get("predictions");
            assertEquals(300, predictions.size());
            // Purity: every blob's records share one cluster, and the three blobs three clusters.
            Map<Integer, Set<Integer>> clustersOfBlob = new HashMap<>();
            for (int i = 0; i < 300; i++) {
                JsonNode prediction = predictions.get(i);
                double cluster = prediction.get("closest_cluster").asDouble();
                assertEquals(Math.rint(cluster), cluster);
                // Points within a few sd (0.1) of their blob's center.
                assertTrue(prediction.get("distance_to_cluster").asDouble() < 0.5, prediction.toString());
                clustersOfBlob.computeIfAbsent((int) test.labels()[i], b -> new HashSet<>()).add((int) cluster);
            }
            Set<Integer> clusters = new HashSet<>();
            for (Set<Integer> ofBlob : clustersOfBlob.values()) {
                assertEquals(1, ofBlob.size(), clustersOfBlob.toString());
                clusters.addAll(ofBlob);
            }
            assertEquals(3, clusters.size(), clustersOfBlob.toString());

            String csv = served.invoke("0,0.6\n", "text/csv", "text/csv").body();
            assertTrue(csv.matches("[0-2]\\.0,0\\.[0-9]+(E-[0-9]+)?\\n"), csv);
            assertEquals(predictions.get(0), JSON.readTree(served.invoke(test.rows(0, 1).jsonLines(), "application/jsonlines",
                    "application/jsonlines").body()));
            assertEquals(400, served.invoke("0,0.6,1\n", "text/csv", null).statusCode());
        }
    }
}
