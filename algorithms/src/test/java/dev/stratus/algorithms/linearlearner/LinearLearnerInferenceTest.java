package dev.stratus.algorithms.linearlearner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import dev.stratus.algorithms.serving.ServedModel;

/** Linear Learner models served over HTTP, with SageMaker's output fields for each predictor type. */
class LinearLearnerInferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path base;

    private Path train(Dataset train, String... hyperparameters) throws Exception {
        ContainerFixture job = new ContainerFixture(base).hyperparameters(hyperparameters)
                .channel("train", "text/csv", Map.of("train.csv", train.csv()));
        new LinearLearnerTrainer(new PrintStream(OutputStream.nullOutputStream())).train(job.context());
        return job.context().modelDir();
    }

    @Test
    void aBinaryClassifierAnswersScoreAndPredictedLabel() throws Exception {
        Dataset data = Dataset.binary(1200, 7);
        Dataset test = data.rows(1000, 1200);
        Path model = train(data.rows(0, 1000), "predictor_type", "binary_classifier", "feature_dim", "2", "mini_batch_size", "100");

        try (ServedModel served = ServedModel.start(new LinearLearnerInference(), model)) {
            HttpResponse<String> response = served.invoke(test.featuresCsv(), "text/csv", null);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow());
            JsonNode predictions = JSON.readTree(response.body()).get("predictions");
            int correct = 0;
            for (int i = 0; i < 200; i++) {
                JsonNode prediction = predictions.get(i);
                double score = prediction.get("score").asDouble();
                assertTrue(score >= 0 && score <= 1, prediction.toString());
                assertEquals(score > 0.5 ? 1 : 0, prediction.get("predicted_label").asInt(), prediction.toString());
                correct += prediction.get("predicted_label").asInt() == test.labels()[i] ? 1 : 0;
            }
            assertTrue(correct >= 180, "accuracy " + correct + "/200");

            assertEquals(predictions, JSON.readTree(served.invoke(test.instancesJson(), "application/json", null).body()).get("predictions"));
            String[] lines = served.invoke(test.jsonLines(), "application/jsonlines", "application/jsonlines").body().split("\n");
            assertEquals(predictions.get(3), JSON.readTree(lines[3]));
            String[] csv = served.invoke(test.featuresCsv(), "text/csv", "text/csv").body().split("\n");
            assertEquals(predictions.get(3).get("score").floatValue() + "," + predictions.get(3).get("predicted_label").asInt(), csv[3]);
        }
    }

    @Test
    void aMulticlassClassifierScoresEveryClass() throws Exception {
        Dataset data = Dataset.threeClasses(1200, 8);
        Dataset test = data.rows(1000, 1200);
        Path model = train(data.rows(0, 1000), "predictor_type", "multiclass_classifier", "num_classes", "3", "feature_dim", "2",
                "mini_batch_size", "100", "epochs", "30");

        try (ServedModel served = ServedModel.start(new LinearLearnerInference(), model)) {
            JsonNode predictions = JSON.readTree(served.invoke(test.jsonLines(), "application/jsonlines", null).body()).get("predictions");
            int correct = 0;
            for (int i = 0; i < 200; i++) {
                JsonNode scores = predictions.get(i).get("score");
                assertEquals(3, scores.size());
                correct += predictions.get(i).get("predicted_label").asInt() == test.labels()[i] ? 1 : 0;
            }
            assertTrue(correct >= 160, "accuracy " + correct + "/200");
        }
    }

    @Test
    void aRegressorAnswersItsScore() throws Exception {
        Dataset data = Dataset.regression(1200, 9);
        Dataset test = data.rows(1000, 1200);
        Path model = train(data.rows(0, 1000), "predictor_type", "regressor", "feature_dim", "2", "mini_batch_size", "100");

        try (ServedModel served = ServedModel.start(new LinearLearnerInference(), model)) {
            JsonNode predictions = JSON.readTree(served.invoke(test.featuresCsv(), "text/csv", "application/json").body())
                    .get("predictions");
            double squares = 0;
            for (int i = 0; i < 200; i++) {
                assertEquals(1, predictions.get(i).size(), predictions.get(i).toString());
                double error = predictions.get(i).get("score").asDouble() - test.labels()[i];
                squares += error * error;
            }
            assertTrue(Math.sqrt(squares / 200) < 0.3, "rmse " + Math.sqrt(squares / 200));
            HttpResponse<String> libsvm = served.invoke("1 0:1 1:1", "text/libsvm", null);
            assertEquals(415, libsvm.statusCode());
            assertEquals("Content-Type text/libsvm is not supported: send one of text/csv, application/json, application/jsonlines",
                    libsvm.body());
        }
    }
}
