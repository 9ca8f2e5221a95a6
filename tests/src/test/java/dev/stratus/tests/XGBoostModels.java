package dev.stratus.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import dev.stratus.algorithms.xgboost.XGBoostTrainer;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;

/**
 * XGBoost models made in-process, saved as the built-in XGBoost saves them, for tests and benchmarks that serve them
 * through the local cloud and predict the same rows in-process to compare.
 */
public final class XGBoostModels {

    private XGBoostModels() {
    }

    /**
     * Trains on 5,000 random rows of {@code features} values in [0, 1) (label a fixed linear mix of them), 50 rounds of
     * depth 6, and saves the model into {@code modelDir}.
     */
    public static void train(Path modelDir, int features) throws Exception {
        Random random = new Random(1);
        int rows = 5000;
        float[] cells = new float[rows * features];
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) {
            float y = 0;
            for (int j = 0; j < features; j++) {
                cells[i * features + j] = random.nextFloat();
                y += (j % 5 - 2) * cells[i * features + j];
            }
            labels[i] = y;
        }
        DMatrix train = new DMatrix(cells, rows, features, Float.NaN);
        train.setLabel(labels);
        Booster booster = XGBoost.train(train, Map.of("max_depth", 6, "eta", 0.3, "objective", "reg:squarederror"), 50, Map.of(), null, null);
        Files.createDirectories(modelDir);
        try (OutputStream out = Files.newOutputStream(modelDir.resolve(XGBoostTrainer.MODEL_FILE))) {
            booster.saveModel(out, "ubj");
        }
        booster.dispose();
        train.dispose();
    }

    /** The model in {@code modelDir} as a model.tar.gz. */
    public static byte[] tarGz(Path modelDir) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            Path model = modelDir.resolve(XGBoostTrainer.MODEL_FILE);
            tar.putArchiveEntry(new TarArchiveEntry(model.toFile(), XGBoostTrainer.MODEL_FILE));
            Files.copy(model, tar);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
