package dev.stratus.algorithms.xgboost;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;

/** A model trained by the XGBoost trainer, served over HTTP: every request and answer type, and the refusals. */
class XGBoostInferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path base;

    private Path train(Dataset train, Dataset validation, String... hyperparameters) throws Exception {
        ContainerFixture job = new ContainerFixture(base).hyperparameters(hyperparameters)
                .channel("train", "text/csv", Map.of("train.csv", train.csv()));
        if (validation != null) {
            job.channel("validation", "text/csv", Map.of("validation.csv", validation.csv()));
        }
        new XGBoostTrainer(new PrintStream(OutputStream.nullOutputStream())).train(job.context());
        return job.context().modelDir();
    }

    @Test
    void everyRequestTypeGivesTheSameScoresAndTheyClassifyWell() throws Exception {
        Dataset data = Dataset.binary(1200, 3);
        Dataset test = data.rows(1000, 1200);
        Path model = train(data.rows(0, 1000), null, "num_round", "30", "max_depth", "3", "objective", "binary:logistic");

        try (ServedModel served = ServedModel.start(new XGBoostInference(), model)) {
            HttpResponse<String> csv = served.invoke(test.featuresCsv(), "text/csv", null);
            assertEquals(200, csv.statusCode(), csv.body());
            assertEquals("text/csv", csv.headers().firstValue("Content-Type").orElseThrow());
            float[] scores = floats(csv.body().lines().toArray(String[]::new));
            assertEquals(200, scores.length);
            int correct = 0;
            for (int i = 0; i < scores.length; i++) {
                correct += (scores[i] > 0.5 ? 1 : 0) == test.labels()[i] ? 1 : 0;
            }
            assertTrue(correct >= 0.9 * scores.length, "accuracy " + correct + "/200");

            assertArrayEquals(scores, floats(served.invoke(test.libsvm(0), "text/libsvm", "text/csv").body().lines().toArray(String[]::new)));
            JsonNode json = JSON.readTree(served.invoke(test.instancesJson(), "application/json", "application/json").body());
            assertEquals(200, json.get("predictions").size());
            for (int i = 0; i < scores.length; i++) {
                assertEquals(scores[i], json.get("predictions").get(i).get("score").floatValue());
            }
            String[] lines = served.invoke(test.jsonLines(), "application/jsonlines", "application/jsonlines").body().split("\n");
            assertEquals(200, lines.length);
            assertEquals(scores[7], JSON.readTree(lines[7]).get("score").floatValue());
        }
    }

    @Test
    void softprobAnswersEveryClassProbability() throws Exception {
        Dataset data = Dataset.threeClasses(1000, 4);
        Dataset test = data.rows(800, 1000);
        Path model = train(data.rows(0, 800), null, "num_round", "20", "objective", "multi:softprob", "num_class", "3");

        try (ServedModel served = ServedModel.start(new XGBoostInference(), model)) {
            JsonNode predictions = JSON.readTree(served.invoke(test.featuresCsv(), "text/csv", "application/json").body())
                    .get("predictions");
            int correct = 0;
            for (int i = 0; i < 200; i++) {
                JsonNode probabilities = predictions.get(i).get("score");
                assertEquals(3, probabilities.size());
                assertEquals(1.0, probabilities.get(0).asDouble() + probabilities.get(1).asDouble() + probabilities.get(2).asDouble(), 1e-4);
                int best = 0;
                for (int c = 1; c < 3; c++) {
                    best = probabilities.get(c).asDouble() > probabilities.get(best).asDouble() ? c : best;
                }
                correct += best == test.labels()[i] ? 1 : 0;
            }
            assertTrue(correct >= 180, "accuracy " + correct + "/200");
            // CSV: a record's class probabilities on its line.
            assertEquals(3, served.invoke("0.5,0.5\n", "text/csv", "text/csv").body().strip().split(",").length);
        }
    }

    @Test
    void anEarlyStoppedModelPredictsWithItsBestIteration() throws Exception {
        Dataset data = Dataset.noisyRegression(1500, 5);
        Path model = train(data.rows(0, 1000), data.rows(1000, 1500), "num_round", "200", "max_depth", "8", "eta", "0.5",
                "early_stopping_rounds", "5");
        Booster booster = XGBoost.loadModel(model.resolve(XGBoostTrainer.MODEL_FILE).toString());
        String best = booster.getAttr("best_iteration");
        assertNotNull(best);
        float[] row = {0.25f, -0.5f};
        float expected = booster.inplace_predict(row, 1, 2, Float.NaN, new int[] {0, Integer.parseInt(best) + 1})[0][0];
        float everyRound = booster.inplace_predict(row, 1, 2, Float.NaN)[0][0];
        booster.dispose();

        try (ServedModel served = ServedModel.start(new XGBoostInference(), model)) {
            float served0 = Float.parseFloat(served.invoke("0.25,-0.5", "text/csv", "text/csv").body().strip());
            assertEquals(expected, served0);
            assertTrue(expected != everyRound, "the test needs a model whose later rounds change the prediction");
        }
    }

    @Test
    void recordsThatDoNotFitTheModelAreRefusedWithTheirNumber() throws Exception {
        Path model = train(Dataset.regression(300, 6), null, "num_round", "5");
        try (ServedModel served = ServedModel.start(new XGBoostInference(), model)) {
            HttpResponse<String> wide = served.invoke("1,2\n1,2,3\n", "text/csv", null);
            assertEquals(400, wide.statusCode());
            assertEquals("record 2: expected 2 features, as the model was trained on, got 3", wide.body());
            HttpResponse<String> index = served.invoke("0 0:1 1:2\n0 5:1\n", "text/libsvm", null);
            assertEquals(400, index.statusCode());
            assertEquals("record 2: feature index 5 is beyond the model's 2 features (indices 0 to 1)", index.body());
            // A missing value is XGBoost's to handle.
            assertEquals(200, served.invoke("1,\n", "text/csv", null).statusCode());
            assertEquals(200, served.invoke("1:0.5\n", "text/x-libsvm", null).statusCode());
        }
    }

    private static float[] floats(String[] lines) {
        float[] values = new float[lines.length];
        for (int i = 0; i < lines.length; i++) {
            values[i] = Float.parseFloat(lines[i]);
        }
        return values;
    }
}
