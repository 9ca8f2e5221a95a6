package dev.stratus.algorithms.kmeans;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.stratus.algorithms.ContainerFixture;

/** Every way a job's input can be wrong ends with exit code 2 and a one-line reason naming what to fix. */
class KMeansBadInputTest {

    private static final String CSV = "0.5,0.25\n0.1,0.2\n0.7,0.9\n";

    @TempDir
    Path base;

    static Stream<Arguments> badJobs() {
        return Stream.of(
                bad("no k", job -> job.hyperparameters("feature_dim", "2"), "ClientError: Missing required hyperparameter: k"),
                bad("no feature_dim", job -> job.hyperparameters("k", "2"), "ClientError: Missing required hyperparameter: feature_dim"),
                bad("misspelt name", job -> job.hyperparameters("k", "2", "feature_dim", "2", "epoch", "3"),
                        "ClientError: Extraneous hyperparameter found: epoch"),
                bad("k not an integer", job -> job.hyperparameters("k", "three", "feature_dim", "2"),
                        "ClientError: Hyperparameter k: 'three' is not an integer"),
                bad("local_lloyd_tol not a number", job -> job.hyperparameters("k", "2", "feature_dim", "2", "local_lloyd_tol", "small"),
                        "ClientError: Hyperparameter local_lloyd_tol: 'small' is not a number"),
                bad("k out of range", job -> job.hyperparameters("k", "0", "feature_dim", "2"),
                        "ClientError: Hyperparameter k: 0 is not in [1, +inf)"),
                bad("local_lloyd_tol out of range", job -> job.hyperparameters("k", "2", "feature_dim", "2", "local_lloyd_tol", "2"),
                        "ClientError: Hyperparameter local_lloyd_tol: 2 is not in [0, 1]"),
                bad("an unknown init_method", job -> job.hyperparameters("k", "2", "feature_dim", "2", "init_method", "furthest"),
                        "ClientError: Hyperparameter init_method: furthest is not in [random, kmeans++]"),
                bad("an unknown metric", job -> job.hyperparameters("k", "2", "feature_dim", "2", "eval_metrics", "[\"msd\", \"mse\"]"),
                        "ClientError: Hyperparameter eval_metrics: mse is not in [msd, ssd]"),
                bad("feature_dim other than the data's", job -> job.hyperparameters("k", "2", "feature_dim", "3"),
                        "ClientError: Hyperparameter feature_dim: 3 does not match the data: file train/train.csv, line 1 has 2 features"),
                bad("more clusters than records", job -> job.hyperparameters("k", "4", "feature_dim", "2"),
                        "ClientError: Hyperparameter k: 4 is more than the 3 records of the train channel"),
                bad("rows of different widths in the second part file",
                        job -> job.channel("train", "text/csv", Map.of("part-1.csv", CSV, "part-2.csv", "0.5,0.25\n0.1,0.2,0.3\n")),
                        "ClientError: file train/part-2.csv, line 2: expected 2 columns, got 3"),
                bad("a header line", job -> job.channel("train", "text/csv", Map.of("train.csv", "x1,x2\n" + CSV)),
                        "ClientError: file train/train.csv, line 1, column 1: 'x1' is not a number (SageMaker's CSV and LIBSVM files have no header line)"),
                bad("an empty cell", job -> job.channel("train", "text/csv", Map.of("train.csv", "0.5,0.25\n0.1,\n")),
                        "ClientError: file train/train.csv, line 2, column 2: empty cell; every feature needs a number"),
                bad("test wider than train", job -> job.channel("test", "text/csv", Map.of("test.csv", "0.5,0.25,1\n")),
                        "ClientError: file test/test.csv, line 1: expected 2 columns, got 3"),
                bad("a label_size other than 0 or 1", job -> job.channel("train", "text/csv;label_size=2", Map.of("train.csv", CSV)),
                        "ClientError: channel train: ContentType text/csv;label_size=2 is not accepted: label_size must be 0 or 1"),
                bad("an unknown ContentType", job -> job.channel("train", "application/json", Map.of("train.csv", CSV)),
                        "ClientError: channel train: ContentType application/json is not accepted: use text/csv"),
                bad("a validation channel", job -> job.channel("validation", "text/csv", Map.of("validation.csv", CSV)),
                        "ClientError: Extraneous channel found: validation"),
                bad("two instances", job -> job.hosts("algo-1", List.of("algo-1", "algo-2")),
                        "ClientError: distributed K-Means (InstanceCount > 1) is not supported locally yet: use InstanceCount 1"));
    }

    private static Arguments bad(String name, Consumer<ContainerFixture> mistake, String reason) {
        return Arguments.of(name, mistake, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJobs")
    void failsWithExitCodeTwoAndAOneLineReason(String name, Consumer<ContainerFixture> mistake, String reason) throws Exception {
        // A valid job, then the one mistake.
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("k", "2", "feature_dim", "2")
                .channel("train", "text/csv", Map.of("train.csv", CSV));
        mistake.accept(job);

        job.assertRefused(new KMeansTrainer(new PrintStream(OutputStream.nullOutputStream())), reason);
    }
}
