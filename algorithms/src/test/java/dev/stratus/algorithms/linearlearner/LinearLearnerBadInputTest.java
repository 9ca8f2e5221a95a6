package dev.stratus.algorithms.linearlearner;

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
class LinearLearnerBadInputTest {

    private static final String CSV = "1,0.5,0.25\n0,0.1,0.2\n1,0.7,0.9\n";

    @TempDir
    Path base;

    static Stream<Arguments> badJobs() {
        return Stream.of(
                bad("no predictor_type", job -> job.hyperparameters("feature_dim", "2"),
                        "ClientError: Missing required hyperparameter: predictor_type"),
                bad("misspelt name", job -> job.hyperparameters("predictor_type", "binary_classifier", "learning_rte", "0.1"),
                        "ClientError: Extraneous hyperparameter found: learning_rte"),
                bad("learning_rate not a number", job -> job.hyperparameters("predictor_type", "binary_classifier", "learning_rate", "fast"),
                        "ClientError: Hyperparameter learning_rate: 'fast' is not a number or auto"),
                bad("epochs not an integer", job -> job.hyperparameters("predictor_type", "binary_classifier", "epochs", "ten"),
                        "ClientError: Hyperparameter epochs: 'ten' is not an integer"),
                bad("normalize_data not a boolean", job -> job.hyperparameters("predictor_type", "regressor", "normalize_data", "yes"),
                        "ClientError: Hyperparameter normalize_data: 'yes' is not true or false or auto"),
                bad("wd out of range", job -> job.hyperparameters("predictor_type", "binary_classifier", "wd", "-1"),
                        "ClientError: Hyperparameter wd: -1 is not in [0, +inf) or auto"),
                bad("num_classes out of range", job -> job.hyperparameters("predictor_type", "multiclass_classifier", "num_classes", "2"),
                        "ClientError: Hyperparameter num_classes: 2 is not in [3, 1000000]"),
                bad("an unknown predictor_type", job -> job.hyperparameters("predictor_type", "classifier"),
                        "ClientError: Hyperparameter predictor_type: classifier is not in [binary_classifier, multiclass_classifier, regressor]"),
                bad("multi-class without num_classes", job -> job.hyperparameters("predictor_type", "multiclass_classifier"),
                        "ClientError: Missing required hyperparameter: num_classes (predictor_type multiclass_classifier needs it)"),
                bad("a loss of another predictor type", job -> job.hyperparameters("predictor_type", "binary_classifier", "loss", "squared_loss"),
                        "ClientError: Hyperparameter loss: squared_loss does not apply to predictor_type binary_classifier;"
                                + " use one of [auto, logistic, hinge_loss]"),
                bad("a loss Tribuo has no objective for", job -> job.hyperparameters("predictor_type", "regressor", "loss", "quantile_loss"),
                        "ClientError: Hyperparameter loss: quantile_loss is not supported locally yet;"
                                + " use one of [auto, squared_loss, absolute_loss, huber_loss]"),
                bad("a learning rate that makes training diverge",
                        job -> job.hyperparameters("predictor_type", "regressor", "optimizer", "sgd", "learning_rate", "1000", "epochs", "200",
                                "early_stopping_patience", "1000"),
                        "ClientError: Hyperparameter learning_rate: training diverged (validation mse_objective is "),
                bad("feature_dim other than the data's", job -> job.hyperparameters("predictor_type", "binary_classifier", "feature_dim", "3"),
                        "ClientError: Hyperparameter feature_dim: 3 does not match the data: file train/train.csv, line 1 has 2 features"),
                bad("rows of different widths in the second part file",
                        job -> job.channel("train", "text/csv", Map.of("part-1.csv", CSV, "part-2.csv", "1,0.5,0.25\n0,0.1\n")),
                        "ClientError: file train/part-2.csv, line 2: expected 3 columns, got 2"),
                bad("a word among the numbers", job -> job.channel("train", "text/csv", Map.of("train.csv", "1,0.5,0.25\n0,0.1,abc\n")),
                        "ClientError: file train/train.csv, line 2, column 3: 'abc' is not a number"),
                bad("an empty cell", job -> job.channel("train", "text/csv", Map.of("train.csv", "1,0.5,0.25\n0,,0.2\n")),
                        "ClientError: file train/train.csv, line 2, column 2: empty cell; every feature needs a number"),
                bad("a label that is not 0 or 1, after a blank line of the second part file",
                        job -> job.channel("train", "text/csv", Map.of("part-1.csv", CSV, "part-2.csv", "1,0.5,0.25\n\n2,0.1,0.2\n")),
                        "ClientError: file train/part-2.csv, line 3: label 2.0 is not 0 or 1 (predictor_type binary_classifier)"),
                bad("a class beyond num_classes",
                        job -> job.hyperparameters("predictor_type", "multiclass_classifier", "num_classes", "3")
                                .channel("train", "text/csv", Map.of("train.csv", "1,0.5,0.25\n3,0.1,0.2\n")),
                        "ClientError: file train/train.csv, line 2: label 3.0 is not an integer in [0, 3) (predictor_type multiclass_classifier)"),
                bad("validation narrower than train", job -> job.channel("validation", "text/csv", Map.of("validation.csv", "1,0.5\n")),
                        "ClientError: file validation/validation.csv, line 1: expected 3 columns, got 2"),
                bad("no ContentType", job -> job.channel("train", null, Map.of("train.csv", CSV)),
                        "ClientError: channel train: no ContentType means application/x-recordio-protobuf, which is not supported"
                                + " locally yet; set ContentType text/csv"),
                bad("recordIO-protobuf", job -> job.channel("train", "application/x-recordio-protobuf", Map.of()),
                        "ClientError: channel train: ContentType application/x-recordio-protobuf is not supported locally yet; use text/csv"),
                bad("CSV without a label", job -> job.channel("train", "text/csv;label_size=0", Map.of("train.csv", CSV)),
                        "ClientError: channel train: Linear Learner reads the label from the first column; ContentType"
                                + " text/csv;label_size=0 has none"),
                bad("an unknown channel", job -> job.channel("extra", "text/csv", Map.of("extra.csv", CSV)),
                        "ClientError: Extraneous channel found: extra"),
                bad("two instances", job -> job.hosts("algo-1", List.of("algo-1", "algo-2")),
                        "ClientError: distributed Linear Learner (InstanceCount > 1) is not supported locally yet: use InstanceCount 1"));
    }

    private static Arguments bad(String name, Consumer<ContainerFixture> mistake, String reason) {
        return Arguments.of(name, mistake, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJobs")
    void failsWithExitCodeTwoAndAOneLineReason(String name, Consumer<ContainerFixture> mistake, String reason) throws Exception {
        // A valid job, then the one mistake.
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("predictor_type", "binary_classifier", "feature_dim", "2")
                .channel("train", "text/csv", Map.of("train.csv", CSV))
                .channel("validation", "text/csv", Map.of("validation.csv", CSV));
        mistake.accept(job);

        job.assertRefused(new LinearLearnerTrainer(new PrintStream(OutputStream.nullOutputStream())), reason);
    }
}
