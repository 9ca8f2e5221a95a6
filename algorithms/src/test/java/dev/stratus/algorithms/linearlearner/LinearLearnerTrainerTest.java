package dev.stratus.algorithms.linearlearner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.algorithms.ContainerFixture;
import dev.stratus.algorithms.Dataset;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.Model;
import org.tribuo.Output;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/** Trains in-process on generated data and checks the log, the saved model and its quality. */
class LinearLearnerTrainerTest {

    /** What SageMaker's tuner reads for validation:objective_loss; the value is the first group. */
    private static final Pattern VALIDATION_OBJECTIVE = Pattern.compile("#quality_metric: host=\\S+, validation \\S+_objective <loss>=(\\S+)");

    @TempDir
    Path base;

    @Test
    void binaryClassifierOnSeparableDataLogsEachEpochAndPredictsWell() throws Exception {
        Dataset data = Dataset.binary(1200, 2);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("predictor_type", "binary_classifier", "feature_dim", "2", "mini_batch_size", "100")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 900).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(900, 1200).csv()));

        List<String> log = train(job);

        assertTrue(log.stream().anyMatch(line -> line.matches(
                "#quality_metric: host=algo-1, epoch=0, train binary_classification_cross_entropy_objective <loss>=[0-9.]+")),
                String.join("\n", log));
        assertTrue(log.stream().anyMatch(line -> line.matches(
                "#quality_metric: host=algo-1, epoch=0, validation binary_classification_cross_entropy_objective <loss>=[0-9.]+")),
                String.join("\n", log));
        assertTrue(log.stream().anyMatch(line -> line.matches("#quality_metric: host=algo-1, validation binary_f_1.000 <score>=[0-9.]+")),
                String.join("\n", log));
        assertTrue(log.stream().anyMatch(line -> VALIDATION_OBJECTIVE.matcher(line).matches()), String.join("\n", log));

        Dataset validation = data.rows(900, 1200);
        double accuracy = accuracy(predict(validation, Label.class, LabelFactory.UNKNOWN_LABEL), validation);
        System.out.printf("binary_classifier: validation accuracy %.4f, logged %s%n", accuracy, last(log, "validation binary_classification_accuracy"));
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
        JsonNode metadata = metadata();
        assertEquals("binary_classifier", metadata.path("predictor_type").asText());
        assertEquals(2, metadata.path("feature_dim").asInt());
        assertEquals("[\"0\",\"1\"]", metadata.path("labels").toString());
    }

    @Test
    void multiclassClassifierWithThreeClasses() throws Exception {
        Dataset data = Dataset.threeClasses(1500, 3);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("predictor_type", "multiclass_classifier", "num_classes", "3", "feature_dim", "2",
                        "mini_batch_size", "50", "epochs", "30")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 1200).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(1200, 1500).csv()));

        List<String> log = train(job);

        assertTrue(log.stream().anyMatch(line -> line.startsWith(
                "#quality_metric: host=algo-1, epoch=0, train multiclass_cross_entropy_objective <loss>=")), String.join("\n", log));
        assertTrue(log.stream().anyMatch(line -> line.startsWith("#quality_metric: host=algo-1, validation multiclass_accuracy <score>=")),
                String.join("\n", log));
        Dataset validation = data.rows(1200, 1500);
        double accuracy = accuracy(predict(validation, Label.class, LabelFactory.UNKNOWN_LABEL), validation);
        System.out.printf("multiclass_classifier (3 classes): validation accuracy %.4f%n", accuracy);
        assertTrue(accuracy > 0.9, "accuracy " + accuracy);
    }

    @Test
    void regressorOnALinearFunction() throws Exception {
        Dataset data = Dataset.regression(1500, 4);
        ContainerFixture job = new ContainerFixture(base)
                .hyperparameters("predictor_type", "regressor", "feature_dim", "2", "mini_batch_size", "100")
                .channel("train", "text/csv", Map.of("train.csv", data.rows(0, 1200).csv()))
                .channel("validation", "text/csv", Map.of("validation.csv", data.rows(1200, 1500).csv()));

        List<String> log = train(job);

        assertTrue(log.stream().anyMatch(line -> line.matches("#quality_metric: host=algo-1, epoch=0, train mse_objective <loss>=[0-9.]+")),
                String.join("\n", log));
        Dataset validation = data.rows(1200, 1500);
        List<Regressor> predictions = predict(validation, Regressor.class, RegressionFactory.UNKNOWN_REGRESSOR);
        double squares = 0;
        for (int i = 0; i < predictions.size(); i++) {
            squares += Math.pow(predictions.get(i).getValues()[0] - validation.labels()[i], 2);
        }
        double rmse = Math.sqrt(squares / predictions.size());
        String logged = last(log, "validation rmse");
        System.out.printf("regressor: validation RMSE %.4f (noise sd 0.1), logged %s%n", rmse, logged);
        assertTrue(rmse < 0.15, "RMSE " + rmse);
        assertEquals(Double.parseDouble(logged), rmse, 1e-4);
    }

    private List<String> train(ContainerFixture job) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new LinearLearnerTrainer(new PrintStream(out, true, StandardCharsets.UTF_8)).train(job.context());
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }

    /** The saved model's predictions, its features named as a model server names a request's columns. */
    private <T extends Output<T>> List<T> predict(Dataset data, Class<T> type, T unknown) throws Exception {
        Model<T> model = Model.deserializeFromFile(base.resolve("model").resolve(TribuoModels.MODEL_FILE)).castModel(type);
        String[] names = TribuoModels.featureNames(data.features()[0].length);
        List<T> outputs = new ArrayList<>();
        for (float[] row : data.features()) {
            double[] values = new double[row.length];
            for (int j = 0; j < row.length; j++) {
                values[j] = row[j];
            }
            outputs.add(model.predict(new ArrayExample<>(unknown, names, values)).getOutput());
        }
        return outputs;
    }

    private JsonNode metadata() throws Exception {
        return new ObjectMapper().readTree(base.resolve("model").resolve(TribuoModels.METADATA_FILE).toFile());
    }

    private static double accuracy(List<Label> predictions, Dataset data) {
        int correct = 0;
        for (int i = 0; i < predictions.size(); i++) {
            correct += predictions.get(i).getLabel().equals(Integer.toString((int) data.labels()[i])) ? 1 : 0;
        }
        return correct / (double) predictions.size();
    }

    /** The value of the last line logging {@code channelAndMetric}. */
    private static String last(List<String> log, String channelAndMetric) {
        Pattern pattern = Pattern.compile("#quality_metric: host=algo-1, " + Pattern.quote(channelAndMetric) + " <\\w+>=(\\S+)");
        String value = null;
        for (String line : log) {
            Matcher matcher = pattern.matcher(line);
            value = matcher.matches() ? matcher.group(1) : value;
        }
        return value;
    }
}
