package dev.stratus.algorithms.xgboost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** Trains in-process on generated data and checks the log, the model file and the model's quality. */
class XGBoostTrainerTest {

    /** The tuning metric regex of SageMaker's XGBoost, unchanged. */
    private static final Pattern VALIDATION_RMSE = Pattern.compile(".*\\[[0-9]+\\].*#011validation-rmse:(\\S+)");

    @TempDir
    Path base;

    @Test
    void regressionFromSeveralCsvPartFilesLogsEveryRoundAsSageMakerDoes() throws Exception {
        Dataset data = Dataset.regression(1500, 1);
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("part-00000.csv", data.rows(0, 600).csv());
        parts.put("part-00001.csv", data.rows(600, 1200).csv());
        // Spark's markers beside its part files are not data.
        parts.put("_SUCCESS", "");
        parts.put(".part-00000.csv.crc", "garbage");
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "40", "max_depth", "4", "eta", "0.3", "objective", "reg:squarederror")
                .channel("train", "text/csv", parts)
                .channel("validation", "csv", Map.of("validation.csv", data.rows(1200, 1500).csv()));

        List<String> log = train(job);

        List<String> rounds = log.stream().filter(line -> line.matches("\\[[0-9]+\\].*")).toList();
        assertEquals(40, rounds.size(), String.join("\n", log));
        assertTrue(rounds.get(0).matches("\\[0\\]#011train-rmse:[0-9.]+#011validation-rmse:[0-9.]+"), rounds.get(0));
        Matcher last = VALIDATION_RMSE.matcher(rounds.get(39));
        assertTrue(last.matches(), rounds.get(39));
        assertTrue(log.contains("Train matrix has 1200 rows and 2 features"), String.join("\n", log));

        double rmse = rmse(predict(data.rows(1200, 1500), 0), data.rows(1200, 1500).labels());
        System.out.printf("regression (CSV): validation RMSE %.4f, last logged %s%n", rmse, last.group(1));
        assertTrue(rmse < 0.5, "RMSE " + rmse);
        assertEquals(Double.parseDouble(last.group(1)), rmse, 1e-4);
    }

    @Test
    void binaryClassificationWithSeveralEvalMetrics() throws Exception {
        Dataset data = Dataset.binary(1200, 2);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "30", "objective", "binary:logistic", "eval_metric", "error,auc", "max_depth", "3")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 900).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(900, 1200).csv()));

        List<String> log = train(job);

        assertTrue(log.stream().anyMatch(line -> line.matches(
                "\\[29\\]#011train-error:\\S+#011train-auc:\\S+#011validation-error:\\S+#011validation-auc:\\S+")),
                String.join("\n", log));
        Dataset validation = data.rows(900, 1200);
        float[][] probabilities = predict(validation, 0);
        int correct = 0;
        for (int i = 0; i < probabilities.length; i++) {
            correct += (probabilities[i][0] > 0.5 ? 1 : 0) == validation.labels()[i] ? 1 : 0;
        }
        double accuracy = correct / (double) probabilities.length;
        System.out.printf("binary:logistic: validation accuracy %.4f%n", accuracy);
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
    }

    @Test
    void multiClassSoftmaxPredictsClassLabels() throws Exception {
        Dataset data = Dataset.threeClasses(1200, 3);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "20", "objective", "multi:softmax", "num_class", "3")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 900).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(900, 1200).csv()));

        List<String> log = train(job);

        assertTrue(log.stream().anyMatch(line -> line.startsWith("[19]#011train-mlogloss:")), String.join("\n", log));
        Dataset validation = data.rows(900, 1200);
        float[][] classes = predict(validation, 0);
        int correct = 0;
        for (int i = 0; i < classes.length; i++) {
            correct += classes[i][0] == validation.labels()[i] ? 1 : 0;
        }
        double accuracy = correct / (double) classes.length;
        System.out.printf("multi:softmax (3 classes): validation accuracy %.4f%n", accuracy);
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
    }

    @Test
    void libsvmIsTheDefaultWithoutContentType() throws Exception {
        Dataset data = Dataset.regression(1500, 4);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "40", "max_depth", "4")
                .channel("train", null, Map.of("train.libsvm", data.rows(0, 1200).libsvm()))
                .channel("validation", "text/libsvm", Map.of("validation.libsvm", data.rows(1200, 1500).libsvm()));

        List<String> log = train(job);

        assertTrue(log.stream().anyMatch(line -> VALIDATION_RMSE.matcher(line).matches()), String.join("\n", log));
        // 1-based indices: XGBoost keeps them as they are, so feature 0 is an empty column.
        double rmse = rmse(predict(data.rows(1200, 1500), 1), data.rows(1200, 1500).labels());
        System.out.printf("regression (LIBSVM): validation RMSE %.4f%n", rmse);
        assertTrue(rmse < 0.5, "RMSE " + rmse);
    }

    @Test
    void earlyStoppingStopsWhenValidationStopsImproving() throws Exception {
        Dataset data = Dataset.noisyRegression(600, 5);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "200", "early_stopping_rounds", "5", "max_depth", "6", "eta", "0.2")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 400).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(400, 600).csv()));

        List<String> log = train(job);

        assertTrue(log.contains("Will train until validation-rmse hasn't improved in 5 rounds."), String.join("\n", log));
        int stopping = log.indexOf("Stopping. Best iteration:");
        assertTrue(stopping > 0, String.join("\n", log));
        String bestLine = log.get(stopping + 1);
        int best = Integer.parseInt(bestLine.substring(1, bestLine.indexOf(']')));
        int trained = (int) log.stream().filter(line -> line.matches("\\[[0-9]+\\].*")).count() - 1;
        System.out.printf("early stopping: best round %d, stopped after %d of 200 rounds%n", best, trained);
        assertTrue(best > 0, "validation improved at first");
        assertEquals(best + 5 + 1, trained);
        assertTrue(log.indexOf(bestLine) < stopping, "the best round's line, as logged when it ran");
        Booster model = XGBoost.loadModel(base.resolve("model/xgboost-model").toString());
        assertEquals(trained, model.getNumBoostedRound());
        assertEquals(Integer.toString(best), model.getAttr("best_iteration"));
        model.dispose();
    }

    @Test
    void csvWeightsReadTheSecondColumnOfTheTrainChannelOnly() throws Exception {
        Dataset data = Dataset.regression(400, 6);
        String weighted = data.rows(0, 300).csv().lines()
                .map(line -> line.replaceFirst(",", ",1.0,"))
                .collect(Collectors.joining("\n", "", "\n"));
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("num_round", "5", "csv_weights", "1")
                .channel("train", "text/csv", Map.of("train.csv", weighted))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(300, 400).csv()));

        List<String> log = train(job);

        assertTrue(log.contains("Train matrix has 300 rows and 2 features"), String.join("\n", log));
    }

    private List<String> train(ContainerFixture job) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new XGBoostTrainer(new PrintStream(out, true, StandardCharsets.UTF_8)).train(job.context());
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    private float[][] predict(Dataset data, int leadingColumns) throws Exception {
        return predict(base, data, leadingColumns);
    }

    /** The predictions of the model in container {@code base}'s {@code model/}. */
    static float[][] predict(Path base, Dataset data, int leadingColumns) throws Exception {
        Booster model = XGBoost.loadModel(base.resolve("model/" + XGBoostTrainer.MODEL_FILE).toString());
        DMatrix matrix = dmatrix(data, leadingColumns);
        try {
            return model.predict(matrix);
        } finally {
            matrix.dispose();
            model.dispose();
        }
    }

    /** The features only, with {@code leadingColumns} empty columns first (index 0 of 1-based LIBSVM data). */
    static DMatrix dmatrix(Dataset data, int leadingColumns) throws XGBoostError {
        float[][] features = data.features();
        int columns = leadingColumns + features[0].length;
        float[] cells = new float[features.length * columns];
        Arrays.fill(cells, Float.NaN);
        for (int i = 0; i < features.length; i++) {
            System.arraycopy(features[i], 0, cells, i * columns + leadingColumns, features[i].length);
        }
        return new DMatrix(cells, features.length, columns, Float.NaN);
    }

    static double rmse(float[][] predictions, float[] labels) {
        double sum = 0;
        for (int i = 0; i < labels.length; i++) {
            sum += Math.pow(predictions[i][0] - labels[i], 2);
        }
        return Math.sqrt(sum / labels.length);
    }
}
