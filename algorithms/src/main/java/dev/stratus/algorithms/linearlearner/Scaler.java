package dev.stratus.algorithms.linearlearner;

import dev.stratus.algorithms.builtin.ChannelData;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;

/**
 * Linear Learner's normalization (normalize_data, normalize_label): each feature, and a regressor's
 * label, shifted to mean 0 and scaled to standard deviation 1, as measured on the first
 * num_point_for_scaler train records. Without a bias term nothing is shifted, as SageMaker unbiases
 * only with one. Training sees normalized values; {@link #fold} turns the trained weights into
 * weights on raw values, so the saved model needs no scaler of its own.
 */
final class Scaler {

    private final double[] mean;
    private final double[] scale;
    private final double labelMean;
    private final double labelScale;
    /** Tribuo's bias feature: 1, or 0 without use_bias, which keeps the bias weight at 0. */
    private final double bias;

    private Scaler(double[] mean, double[] scale, double labelMean, double labelScale, double bias) {
        this.mean = mean;
        this.scale = scale;
        this.labelMean = labelMean;
        this.labelScale = labelScale;
        this.bias = bias;
    }

    static Scaler fit(ChannelData train, LinearLearnerHyperparameters hyperparameters) {
        int features = train.features();
        int points = Math.min(train.rows(), hyperparameters.numPointForScaler());
        boolean shift = hyperparameters.useBias();
        double[] mean = new double[features];
        double[] scale = new double[features];
        for (int j = 0; j < features; j++) {
            Moments moments = Moments.of(train.dense(), j, features, points);
            mean[j] = hyperparameters.normalizeData() && shift ? moments.mean() : 0;
            scale[j] = hyperparameters.normalizeData() ? moments.deviation() : 1;
        }
        Moments label = Moments.of(train.labels(), 0, 1, points);
        return new Scaler(mean, scale,
                hyperparameters.normalizeLabel() && shift ? label.mean() : 0,
                hyperparameters.normalizeLabel() ? label.deviation() : 1,
                hyperparameters.useBias() ? 1 : 0);
    }

    /** A record's normalized features, with Tribuo's bias feature last. */
    DenseVector features(ChannelData data, int row) {
        int features = data.features();
        double[] values = new double[features + 1];
        for (int j = 0; j < features; j++) {
            values[j] = (data.dense()[row * features + j] - mean[j]) / scale[j];
        }
        values[features] = bias;
        return DenseVector.createDenseVector(values);
    }

    double label(double raw) {
        return (raw - labelMean) / labelScale;
    }

    /** A distance between labels, such as huber_delta, in normalized units. */
    double labelDistance(double raw) {
        return raw / labelScale;
    }

    double rawLabel(double normalized) {
        return normalized * labelScale + labelMean;
    }

    /**
     * Weights on raw values that predict as {@code trained} does on normalized ones: for an output
     * o = s (sum_j w_j (x_j - m_j) / d_j + b) + m, w_j becomes s w_j / d_j and b becomes
     * s (b - sum_j w_j m_j / d_j) + m.
     */
    LinearParameters fold(LinearParameters trained) {
        DenseMatrix weights = trained.getWeightMatrix();
        int outputs = weights.getDimension1Size();
        int features = mean.length;
        DenseMatrix raw = new DenseMatrix(outputs, features + 1);
        for (int o = 0; o < outputs; o++) {
            double shift = 0;
            for (int j = 0; j < features; j++) {
                raw.set(o, j, labelScale * weights.get(o, j) / scale[j]);
                shift += weights.get(o, j) * mean[j] / scale[j];
            }
            raw.set(o, features, labelScale * (weights.get(o, features) - shift) + labelMean);
        }
        return new LinearParameters(raw);
    }

    /** The mean and standard deviation of one column of a row-major table; a constant column keeps its scale (1). */
    private record Moments(double mean, double deviation) {

        static Moments of(float[] table, int column, int columns, int rows) {
            double sum = 0;
            for (int i = 0; i < rows; i++) {
                sum += table[i * columns + column];
            }
            double mean = sum / rows;
            double squares = 0;
            for (int i = 0; i < rows; i++) {
                double difference = table[i * columns + column] - mean;
                squares += difference * difference;
            }
            double deviation = Math.sqrt(squares / rows);
            return new Moments(mean, deviation > 0 ? deviation : 1);
        }
    }
}
