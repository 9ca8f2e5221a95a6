package dev.stratus.algorithms.xgboost;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.serving.Predictions;
import dev.stratus.algorithms.serving.RecordHandler;
import dev.stratus.algorithms.serving.Records.Format;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * SageMaker's built-in XGBoost, serving side: reads {@code text/csv}, {@code text/libsvm},
 * {@code application/json} and {@code application/jsonlines}; answers {@code text/csv} (the default, a
 * record a line), JSON or JSON Lines ({@code {"score": ...}} a record; a list of class probabilities for
 * {@code multi:softprob}). A model trained with early stopping predicts with its best iteration's trees,
 * as the SageMaker container does.
 */
public final class XGBoostInference extends RecordHandler {

    private Booster booster;
    private int features;
    /** Rounds [0, best iteration + 1) of an early-stopped model; null for all. */
    private int[] iterations;

    public XGBoostInference() {
        super(List.of(Format.CSV, Format.LIBSVM, Format.JSON, Format.JSON_LINES),
                List.of(Predictions.CSV, Predictions.JSON, Predictions.JSON_LINES));
    }

    @Override
    public void load(Path modelDir) throws IOException, XGBoostError {
        Path file = modelDir.resolve(XGBoostTrainer.MODEL_FILE);
        try (InputStream in = Files.newInputStream(file)) {
            booster = XGBoost.loadModel(in);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file + ": the model.tar.gz holds no " + XGBoostTrainer.MODEL_FILE
                    + "; use the model of a training job of this XGBoost image");
        }
        // One thread a request: the server's workers already predict requests side by side, and handing a
        // small batch to OpenMP's threads costs more than predicting it.
        booster.setParam("nthread", 1);
        features = (int) booster.getNumFeature();
        String best = booster.getAttr("best_iteration");
        iterations = best == null ? null : new int[] {0, Integer.parseInt(best) + 1};
    }

    @Override
    protected int features() {
        return features;
    }

    @Override
    protected boolean missingValuesAllowed() {
        return true;
    }

    @Override
    protected List<Map<String, Object>> predict(float[] cells, int rows) throws XGBoostError {
        // In-place prediction needs no DMatrix and is safe from several threads at once.
        float[][] scores = iterations == null
                ? booster.inplace_predict(cells, rows, features, Float.NaN)
                : booster.inplace_predict(cells, rows, features, Float.NaN, iterations);
        List<Map<String, Object>> predictions = new ArrayList<>(rows);
        for (float[] score : scores) {
            if (score.length == 1) {
                predictions.add(Map.of("score", score[0]));
            } else {
                List<Float> probabilities = new ArrayList<>(score.length);
                for (float p : score) {
                    probabilities.add(p);
                }
                predictions.add(Map.of("score", probabilities));
            }
        }
        return predictions;
    }
}
