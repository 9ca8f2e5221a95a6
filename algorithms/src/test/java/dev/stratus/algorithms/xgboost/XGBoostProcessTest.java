package dev.stratus.algorithms.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/** The algorithm as the local cloud starts it: its own process, {@code train}, SAGEMAKER_BASE_DIR. */
class XGBoostProcessTest {

    @TempDir
    Path base;

    @Test
    void trainsInItsOwnProcessAndSavesAModelThatPredicts() throws Exception {
        Dataset data = Dataset.regression(1000, 7);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "20", "max_depth", "4")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 800).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(800, 1000).csv()));

        ContainerFixture.Run run = job.runInOwnProcess(XGBoostAlgorithm.class);

        assertEquals(0, run.exitCode(), run.output());
        List<String> rounds = run.output().lines().filter(line -> line.matches("\\[[0-9]+\\]#011train-rmse:\\S+#011validation-rmse:\\S+")).toList();
        assertEquals(20, rounds.size(), run.output());
        Booster model = XGBoost.loadModel(base.resolve("model/xgboost-model").toString());
        DMatrix validation = XGBoostTrainerTest.dmatrix(data.rows(800, 1000), 0);
        assertEquals(200, model.predict(validation).length);
        validation.dispose();
        model.dispose();
        assertEquals(null, job.failure());
    }

    @Test
    void aRefusedJobExitsTwoWithItsReason() throws Exception {
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "20", "eta", "fast")
                .channel("train", "text/csv", Map.of("train.csv", "1,2,3\n"));

        ContainerFixture.Run run = job.runInOwnProcess(XGBoostAlgorithm.class);

        assertEquals(2, run.exitCode(), run.output());
        assertEquals("ClientError: Hyperparameter eta: 'fast' is not a number", job.failure());
        assertTrue(run.output().contains("ClientError: Hyperparameter eta: 'fast' is not a number"), run.output());
    }
}
