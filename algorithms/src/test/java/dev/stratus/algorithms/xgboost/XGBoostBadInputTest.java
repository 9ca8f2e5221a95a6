package dev.stratus.algorithms.xgboost;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.stratus.algorithms.ContainerFixture;

/** Every way a job's input can be wrong ends with exit code 2 and a one-line reason naming what to fix. */
class XGBoostBadInputTest {

    private static final String CSV = "1,0.5,0.25\n0,0.1,0.2\n1,0.7,0.9\n";

    @TempDir
    Path base;

    static Stream<Arguments> badJobs() {
        return Stream.of(
                bad("no num_round", job -> job.hyperparameters("eta", "0.1"),
                        "ClientError: Missing required hyperparameter: num_round"),
                bad("misspelt name", job -> job.hyperparameters("num_round", "5", "etaa", "0.1"),
                        "ClientError: Extraneous hyperparameter found: etaa"),
                bad("eta not a number", job -> job.hyperparameters("num_round", "5", "eta", "fast"),
                        "ClientError: Hyperparameter eta: 'fast' is not a number"),
                bad("num_round not an integer", job -> job.hyperparameters("num_round", "ten"),
                        "ClientError: Hyperparameter num_round: 'ten' is not an integer"),
                bad("eta out of range", job -> job.hyperparameters("num_round", "5", "eta", "1.5"),
                        "ClientError: Hyperparameter eta: 1.5 is not in [0, 1]"),
                bad("subsample zero", job -> job.hyperparameters("num_round", "5", "subsample", "0"),
                        "ClientError: Hyperparameter subsample: 0 is not in (0, 1]"),
                bad("num_round zero", job -> job.hyperparameters("num_round", "0"),
                        "ClientError: Hyperparameter num_round: 0 is not in [1, +inf)"),
                bad("unknown objective", job -> job.hyperparameters("num_round", "5", "objective", "reg:cubic"),
                        "ClientError: Hyperparameter objective: reg:cubic is not in [reg:squarederror"),
                bad("multi-class without num_class", job -> job.hyperparameters("num_round", "5", "objective", "multi:softmax"),
                        "ClientError: Missing required hyperparameter: num_class (objective multi:softmax needs it)"),
                bad("unknown metric", job -> job.hyperparameters("num_round", "5", "eval_metric", "rmse,rmsee"),
                        "ClientError: Hyperparameter eval_metric: 'rmsee' is not one of [aft-nloglik"),
                bad("a metric the container computes itself", job -> job.hyperparameters("num_round", "5", "eval_metric", "f1"),
                        "ClientError: Hyperparameter eval_metric: metric 'f1' is not supported locally yet"),
                bad("early stopping without validation", job -> job.hyperparameters("num_round", "5", "early_stopping_rounds", "3")
                                .write("input/config/inputdataconfig.json", Map.of("train", Map.of("ContentType", "text/csv"))),
                        "ClientError: Hyperparameter early_stopping_rounds: early stopping watches the validation channel"),
                bad("labels outside [0,1] for logistic regression",
                        job -> job.hyperparameters("num_round", "5", "objective", "binary:logistic")
                                .channel("train", "text/csv", Map.of("train.csv", "2,0.5,0.25\n0,0.1,0.2\n")),
                        "ClientError: label must be in [0,1] for logistic regression"),
                bad("rows of different widths in the second part file",
                        job -> job.channel("train", "text/csv", Map.of("part-1.csv", CSV, "part-2.csv", "1,0.5,0.25\n0,0.1\n")),
                        "ClientError: file train/part-2.csv, line 2: expected 3 columns, got 2"),
                bad("a word among the numbers",
                        job -> job.channel("train", "text/csv", Map.of("train.csv", "1,0.5,0.25\n0,0.1,abc\n")),
                        "ClientError: file train/train.csv, line 2, column 3: 'abc' is not a number"),
                bad("a header line",
                        job -> job.channel("train", "text/csv", Map.of("train.csv", "label,x1,x2\n" + CSV)),
                        "ClientError: file train/train.csv, line 1, column 1: 'label' is not a number (SageMaker's CSV and LIBSVM files have no header line)"),
                bad("validation narrower than train",
                        job -> job.channel("validation", "text/csv", Map.of("validation.csv", "1,0.5\n")),
                        "ClientError: file validation/validation.csv, line 1: expected 3 columns, got 2"),
                bad("CSV read as LIBSVM when ContentType is missing",
                        job -> job.channel("train", null, Map.of("train.csv", CSV)),
                        "ClientError: file train/train.csv, line 1: looks like CSV, but the channel is read as LIBSVM"),
                bad("a LIBSVM feature without an index",
                        job -> job.channel("train", "text/libsvm", Map.of("train.libsvm", "1 1:0.5 2:0.3\n0 1:0.1 0.3\n")),
                        "ClientError: file train/train.libsvm, line 2, column 3: '0.3' is not <index>:<value>"),
                bad("no train channel",
                        job -> job.write("input/config/inputdataconfig.json", Map.of("validation", Map.of("ContentType", "text/csv"))),
                        "ClientError: Missing required channel: train"),
                bad("an unknown channel", job -> job.channel("test", "text/csv", Map.of("test.csv", CSV)),
                        "ClientError: Extraneous channel found: test"),
                bad("an empty train channel", job -> job.channel("train", "text/csv", Map.of("_SUCCESS", "")),
                        "ClientError: No data in train channel path "),
                bad("Parquet", job -> job.channel("train", "application/x-parquet", Map.of()),
                        "ClientError: channel train: ContentType application/x-parquet is not supported locally yet; use text/csv or text/libsvm"),
                bad("an unknown ContentType", job -> job.channel("train", "application/json", Map.of()),
                        "ClientError: application/json is not an accepted ContentType"));
    }

    private static Arguments bad(String name, Consumer<ContainerFixture> mistake, String reason) {
        return Arguments.of(name, mistake, reason);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badJobs")
    void failsWithExitCodeTwoAndAOneLineReason(String name, Consumer<ContainerFixture> mistake, String reason) throws Exception {
        // A valid job, then the one mistake.
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "5")
                .channel("train", "text/csv", Map.of("train.csv", CSV))
                .channel("validation", "text/csv", Map.of("validation.csv", CSV));
        mistake.accept(job);

        job.assertRefused(new XGBoostTrainer(new PrintStream(OutputStream.nullOutputStream())), reason);
    }
}
