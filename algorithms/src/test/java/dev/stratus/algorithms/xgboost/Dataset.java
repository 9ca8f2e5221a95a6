package dev.stratus.algorithms.xgboost;

import java.util.Arrays;
import java.util.Random;

import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;

/** Generated tables with two features in [-1, 1]; the label comes first, as SageMaker's CSV has it. */
record Dataset(float[][] features, float[] labels) {

    /** y = 3 x1 - 2 x2 + noise (sd 0.1). */
    static Dataset regression(int rows, long seed) {
        return generate(rows, seed, (x, random) -> (float) (3 * x[0] - 2 * x[1] + 0.1 * random.nextGaussian()));
    }

    /** 1 when x1 + x2 > 0: separable. */
    static Dataset binary(int rows, long seed) {
        return generate(rows, seed, (x, random) -> x[0] + x[1] > 0 ? 1 : 0);
    }

    /** Three classes by x1: below -1/3, up to 1/3, above. */
    static Dataset threeClasses(int rows, long seed) {
        return generate(rows, seed, (x, random) -> x[0] < -1f / 3 ? 0 : x[0] < 1f / 3 ? 1 : 2);
    }

    /** y = 3 x1 - 2 x2 + noise (sd 1.5): deep trees soon fit the noise, and validation error turns up again. */
    static Dataset noisyRegression(int rows, long seed) {
        return generate(rows, seed, (x, random) -> (float) (3 * x[0] - 2 * x[1] + 1.5 * random.nextGaussian()));
    }

    private interface Label {
        float of(float[] x, Random random);
    }

    private static Dataset generate(int rows, long seed, Label label) {
        Random random = new Random(seed);
        float[][] features = new float[rows][];
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) {
            features[i] = new float[] {random.nextFloat() * 2 - 1, random.nextFloat() * 2 - 1};
            labels[i] = label.of(features[i], random);
        }
        return new Dataset(features, labels);
    }

    String csv() {
        StringBuilder csv = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            csv.append(labels[i]);
            for (float x : features[i]) {
                csv.append(',').append(x);
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    /** 1-based feature indices, as most LIBSVM files have them. */
    String libsvm() {
        StringBuilder libsvm = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            libsvm.append(labels[i]);
            for (int j = 0; j < features[i].length; j++) {
                libsvm.append(' ').append(j + 1).append(':').append(features[i][j]);
            }
            libsvm.append('\n');
        }
        return libsvm.toString();
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
    Dataset rows(int from, int to) {
        return new Dataset(Arrays.copyOfRange(features, from, to), Arrays.copyOfRange(labels, from, to));
    }

    /** The features only, with {@code leadingColumns} empty columns first (index 0 of 1-based LIBSVM data). */
    DMatrix dmatrix(int leadingColumns) throws XGBoostError {
        int columns = leadingColumns + features[0].length;
        float[] cells = new float[labels.length * columns];
        Arrays.fill(cells, Float.NaN);
        for (int i = 0; i < labels.length; i++) {
            System.arraycopy(features[i], 0, cells, i * columns + leadingColumns, features[i].length);
        }
        return new DMatrix(cells, labels.length, columns, Float.NaN);
    }
}
