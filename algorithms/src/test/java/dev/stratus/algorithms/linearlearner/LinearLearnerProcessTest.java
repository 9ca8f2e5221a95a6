package dev.stratus.algorithms.linearlearner;

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
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;

/** The algorithm as the local cloud starts it: its own process, {@code train}, SAGEMAKER_BASE_DIR. */
class LinearLearnerProcessTest {

    @TempDir
    Path base;

    @Test
    void trainsInItsOwnProcessAndSavesAModelThatPredicts() throws Exception {
        Dataset data = Dataset.binary(1000, 8);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("predictor_type", "binary_classifier", "feature_dim", "2", "mini_batch_size", "100", "epochs", "5")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 800).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(800, 1000).csv()));

        ContainerFixture.Run run = job.runInOwnProcess(LinearLearnerAlgorithm.class);

        assertEquals(0, run.exitCode(), run.output());
        assertEquals(5, run.output().lines().filter(line -> line.matches(
                "#quality_metric: host=algo-1, epoch=[0-4], validation binary_classification_cross_entropy_objective <loss>=[0-9.]+")).count(),
                run.output());
        assertTrue(run.output().lines().anyMatch(line -> line.matches(
                "#quality_metric: host=algo-1, validation binary_classification_accuracy <score>=[0-9.]+")), run.output());
        Model<Label> model = Model.deserializeFromFile(base.resolve("model").resolve(TribuoModels.MODEL_FILE)).castModel(Label.class);
        Label predicted = model.predict(new ArrayExample<>(LabelFactory.UNKNOWN_LABEL, TribuoModels.featureNames(2),
                new double[] {0.5, 0.4})).getOutput();
        assertEquals("1", predicted.getLabel());
        assertNull(job.failure());
    }
}
