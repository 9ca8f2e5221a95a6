package dev.stratus.algorithms.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
    void theSameProgramServesTheModelItTrainedUntilItIsStopped() throws Exception {
        Dataset data = Dataset.binary(600, 8);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "10", "objective", "binary:logistic")
                .channel("train", "text/csv", Map.of("train.csv", data.csv()));
        assertEquals(0, job.runInOwnProcess(XGBoostAlgorithm.class).exitCode());

        int port = ContainerFixture.freeLoopbackPort();
        Process server = job.serveInOwnProcess(XGBoostAlgorithm.class, port);
        try {
            HttpClient http = HttpClient.newHttpClient();
            URI base = URI.create("http://127.0.0.1:" + port);
            Instant deadline = Instant.now().plusSeconds(30);
            while (!ping(http, base)) {
                assertTrue(server.isAlive() && Instant.now().isBefore(deadline), "the model server did not answer /ping");
                Thread.sleep(50);
            }
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(base.resolve("/invocations"))
                    .header("Content-Type", "text/csv").POST(HttpRequest.BodyPublishers.ofString("0.9,0.8\n-0.9,-0.8\n")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, answer.statusCode(), answer.body());
            String[] scores = answer.body().split("\n");
            assertTrue(Float.parseFloat(scores[0]) > 0.5 && Float.parseFloat(scores[1]) < 0.5, answer.body());
        } finally {
            server.destroy();
        }
        // SIGTERM, as SageMaker scales an instance in: the server stops at once.
        assertTrue(server.waitFor(10, TimeUnit.SECONDS), "the model server did not stop on SIGTERM");
    }

    private static boolean ping(HttpClient http, URI base) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/ping")).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        }
    }

    @Test
    void aModeOtherThanTrainOrServeIsRefusedWithItsUsage() throws Exception {
        ContainerFixture.Run run = new ContainerFixture(base).runInOwnProcess(XGBoostAlgorithm.class, "predict");

        assertEquals(2, run.exitCode(), run.output());
        assertTrue(run.output().contains("usage: <program> train|serve (SageMaker starts the image as '<image> train' for a"
                + " training job, '<image> serve' for an endpoint); got: predict"), run.output());
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
