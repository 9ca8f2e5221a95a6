package dev.stratus.algorithms.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.Model;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.impl.ArrayExample;

/** Trains in-process on generated blobs and checks the log, the saved model and its clusters. */
class KMeansTrainerTest {

    @TempDir
    Path base;

    @Test
    void threeWellSeparatedBlobsBecomeThreeClusters() throws Exception {
        Dataset blobs = Dataset.threeBlobs(1500, 1);
        // As the SageMaker Python SDK sends them, plus two trials.
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("k", "3", "feature_dim", "2", "force_dense", "True", "mini_batch_size", "500",
                        "init_method", "random", "eval_metrics", "[\"msd\", \"ssd\"]", "local_lloyd_num_trials", "2")
                .channel("train", "text/csv", Map.of("train.csv", blobs.rows(0, 1200).featuresCsv()))
                .channel("test", "text/csv;label_size=0", Map.of("test.csv", blobs.rows(1200, 1500).featuresCsv()));

        List<String> log = train(job);

        String text = String.join("\n", log);
        assertTrue(log.contains("Accepted, not applied locally (Lloyd's algorithm runs on all the records, without SageMaker's"
                + " streaming phase): mini_batch_size, init_method"), text);
        assertEquals(2, log.stream().filter(line -> line.startsWith("local kmeans attempt #")).count(), text);
        assertTrue(log.stream().anyMatch(line -> line.matches("#quality_metric: host=algo-1, train msd <loss>=[0-9.]+")), text);
        assertTrue(log.stream().anyMatch(line -> line.matches("#quality_metric: host=algo-1, test msd <loss>=[0-9.]+")), text);
        assertTrue(log.stream().anyMatch(line -> line.matches("#quality_metric: host=algo-1, test ssd <loss>=[0-9.]+")), text);

        Dataset train = blobs.rows(0, 1200);
        double purity = purity(assign(train), train.labels(), 3);
        System.out.printf("k-means (3 blobs, sd 0.1): purity %.4f of the train records%n", purity);
        assertTrue(purity > 0.95, "purity " + purity);
        JsonNode metadata = new ObjectMapper().readTree(base.resolve("model").resolve(TribuoModels.METADATA_FILE).toFile());
        assertEquals(3, metadata.path("k").asInt());
        assertEquals(2, metadata.path("feature_dim").asInt());
    }

    @Test
    void labelSizeOneSkipsTheFirstColumn() throws Exception {
        Dataset blobs = Dataset.threeBlobs(300, 2);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("k", "3", "feature_dim", "2")
                .channel("train", "text/csv;label_size=1", Map.of("train.csv", blobs.csv()));

        List<String> log = train(job);

        assertTrue(log.contains("Channel train: 300 records of 2 features"), String.join("\n", log));
        assertTrue(purity(assign(blobs), blobs.labels(), 3) > 0.95);
    }

    private List<String> train(ContainerFixture job) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new KMeansTrainer(new PrintStream(out, true, StandardCharsets.UTF_8)).train(job.context());
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The saved model's cluster of each record, its features named as a model server names a request's columns. */
    private int[] assign(Dataset data) throws Exception {
        Model<ClusterID> model = Model.deserializeFromFile(base.resolve("model").resolve(TribuoModels.MODEL_FILE))
                .castModel(ClusterID.class);
        String[] names = TribuoModels.featureNames(2);
        int[] clusters = new int[data.labels().length];
        for (int i = 0; i < clusters.length; i++) {
            double[] values = {data.features()[i][0], data.features()[i][1]};
            clusters[i] = model.predict(new ArrayExample<>(ClusteringFactory.UNASSIGNED_CLUSTER_ID, names, values)).getOutput().getID();
        }
        return clusters;
    }

    /** The share of records whose cluster's most common blob is their own. */
    private static double purity(int[] clusters, float[] blobs, int k) {
        int[][] counts = new int[k][k];
        for (int i = 0; i < clusters.length; i++) {
            counts[clusters[i]][(int) blobs[i]]++;
        }
        int majority = 0;
        for (int[] cluster : counts) {
            int most = 0;
            for (int count : cluster) {
                most = Math.max(most, count);
            }
            majority += most;
        }
        return majority / (double) clusters.length;
    }
}
