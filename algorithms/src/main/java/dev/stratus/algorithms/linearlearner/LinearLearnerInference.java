package dev.stratus.algorithms.linearlearner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.stratus.algorithms.builtin.TribuoInference;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;

/**
 * SageMaker's built-in Linear Learner, serving side: reads {@code text/csv}, {@code application/json}
 * and {@code application/jsonlines}; answers JSON (the default), JSON Lines or CSV with SageMaker's
 * fields: {@code score} and {@code predicted_label} for a classifier (the score of class 1 for
 * binary_classifier, every class's score for multiclass_classifier), {@code score} for a regressor.
 */
public final class LinearLearnerInference extends TribuoInference {

    private Model<Label> classifier;
    private Model<Regressor> regressor;
    private List<String> labels;
    private boolean binary;
    private int features;

    @Override
    public void load(Path modelDir) throws IOException {
        JsonNode metadata = TribuoModels.metadata(modelDir);
        features = metadata.path("feature_dim").asInt();
        String predictorType = metadata.path("predictor_type").asText();
        if (predictorType.equals("regressor")) {
            regressor = TribuoModels.load(modelDir, Regressor.class);
        } else {
            classifier = TribuoModels.load(modelDir, Label.class);
            binary = predictorType.equals("binary_classifier");
            labels = new ArrayList<>();
            metadata.path("labels").forEach(label -> labels.add(label.asText()));
        }
    }

    @Override
    protected int features() {
        return features;
    }

    @Override
    protected List<Map<String, Object>> predict(float[] cells, int rows) {
        List<Map<String, Object>> predictions = new ArrayList<>(rows);
        if (regressor != null) {
            for (Prediction<Regressor> prediction : regressor.predict(
                    TribuoModels.examples(RegressionFactory.UNKNOWN_REGRESSOR, cells, rows, features))) {
                predictions.add(Map.of("score", (float) prediction.getOutput().getValues()[0]));
            }
            return predictions;
        }
        for (Prediction<Label> prediction : classifier.predict(TribuoModels.examples(LabelFactory.UNKNOWN_LABEL, cells, rows,
                features))) {
            Map<String, Label> scores = prediction.getOutputScores();
            Map<String, Object> record = new LinkedHashMap<>();
            if (binary) {
                record.put("score", (float) scores.get(labels.get(1)).getScore());
            } else {
                List<Float> perClass = new ArrayList<>(labels.size());
                for (String label : labels) {
                    perClass.add((float) scores.get(label).getScore());
                }
                record.put("score", perClass);
            }
            record.put("predicted_label", Integer.parseInt(prediction.getOutput().getLabel()));
            predictions.add(record);
        }
        return predictions;
    }
}
