package dev.stratus.algorithms.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.ContainerFixture;
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

        Run run = run();

        assertEquals(0, run.exitCode(), run.stdout());
        List<String> rounds = run.stdout().lines().filter(line -> line.matches("\\[[0-9]+\\]#011train-rmse:\\S+#011validation-rmse:\\S+")).toList();
        assertEquals(20, rounds.size(), run.stdout());
        Booster model = XGBoost.loadModel(base.resolve("model/xgboost-model").toString());
        DMatrix validation = data.rows(800, 1000).dmatrix(0);
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

        Run run = run();

        assertEquals(2, run.exitCode(), run.stdout());
        assertEquals("ClientError: Hyperparameter eta: 'fast' is not a number", job.failure());
        assertTrue(run.stdout().contains("ClientError: Hyperparameter eta: 'fast' is not a number"), run.stdout());
    }

    private record Run(int exitCode, String stdout) {
    }

    private Run run() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder builder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                XGBoostAlgorithm.class.getName(), "train").redirectErrorStream(true);
        builder.environment().put("SAGEMAKER_BASE_DIR", base.toString());
        builder.environment().put("OMP_WAIT_POLICY", "passive");
        Process process = builder.start();
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the algorithm did not end");
        return new Run(process.exitValue(), stdout);
    }
}
