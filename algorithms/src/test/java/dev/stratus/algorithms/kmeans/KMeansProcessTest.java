package dev.stratus.algorithms.kmeans;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.Model;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.kmeans.KMeansModel;

/** The algorithm as the local cloud starts it: its own process, {@code train}, SAGEMAKER_BASE_DIR. */
class KMeansProcessTest {

    @TempDir
    Path base;

    @Test
    void trainsInItsOwnProcessAndSavesTheCenters() throws Exception {
        Dataset blobs = Dataset.threeBlobs(900, 3);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("k", "3", "feature_dim", "2")
                .channel("train", "text/csv", Map.of("train.csv", blobs.featuresCsv()));

        ContainerFixture.Run run = job.runInOwnProcess(KMeansAlgorithm.class);

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().lines().anyMatch(line -> line.matches("#quality_metric: host=algo-1, train msd <loss>=[0-9.]+")),
                run.output());
        Model<ClusterID> model = Model.deserializeFromFile(base.resolve("model").resolve(TribuoModels.MODEL_FILE)).castModel(ClusterID.class);
        assertEquals(3, ((KMeansModel) model).getCentroids().size());
        assertNull(job.failure());
    }
}
