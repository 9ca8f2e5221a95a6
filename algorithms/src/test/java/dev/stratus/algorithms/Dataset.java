package dev.stratus.algorithms;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Generated tables with two features in [-1, 1]; the label comes first, as SageMaker's CSV has it. */
public record Dataset(float[][] features, float[] labels) {

    /** y = 3 x1 - 2 x2 + noise (sd 0.1). */
    public static Dataset regression(int rows, long seed) {
        return generate(rows, seed, (x, random) -> (float) (3 * x[0] - 2 * x[1] + 0.1 * random.nextGaussian()));
    }

    /** 1 when x1 + x2 > 0: separable. */
    public static Dataset binary(int rows, long seed) {
        return generate(rows, seed, (x, random) -> x[0] + x[1] > 0 ? 1 : 0);
    }

    /** Three classes by x1: below -1/3, up to 1/3, above. */
    public static Dataset threeClasses(int rows, long seed) {
        return generate(rows, seed, (x, random) -> x[0] < -1f / 3 ? 0 : x[0] < 1f / 3 ? 1 : 2);
    }

    /** y = 3 x1 - 2 x2 + noise (sd 1.5): deep trees soon fit the noise, and validation error turns up again. */
    public static Dataset noisyRegression(int rows, long seed) {
        return generate(rows, seed, (x, random) -> (float) (3 * x[0] - 2 * x[1] + 1.5 * random.nextGaussian()));
    }

    /**
     * Three round blobs (sd 0.1) around (-0.6, -0.6), (0.6, -0.6) and (0, 0.6), rows taking turns;
     * the label is the blob's index, for clustering tests to compare against.
     */
    public static Dataset threeBlobs(int rows, long seed) {
        float[][] centers = {{-0.6f, -0.6f}, {0.6f, -0.6f}, {0f, 0.6f}};
        Random random = new Random(seed);
        float[][] features = new float[rows][];
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) {
            float[] center = centers[i % 3];
            features[i] = new float[] {center[0] + (float) (0.1 * random.nextGaussian()), center[1] + (float) (0.1 * random.nextGaussian())};
            labels[i] = i % 3;
        }
        return new Dataset(features, labels);
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

    public String csv() {
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

    /** The features only, as an unsupervised algorithm reads them. */
    public String featuresCsv() {
        StringBuilder csv = new StringBuilder();
        for (float[] row : features) {
            for (int j = 0; j < row.length; j++) {
                csv.append(j == 0 ? "" : ",").append(row[j]);
            }
            csv.append('\n');
        }
        return csv.toString();
    }

    /** 1-based feature indices, as most LIBSVM files have them. */
    public String libsvm() {
        return libsvm(1);
    }

    /** LIBSVM with the first feature at {@code firstIndex}. */
    public String libsvm(int firstIndex) {
        StringBuilder libsvm = new StringBuilder();
        for (int i = 0; i < labels.length; i++) {
            libsvm.append(labels[i]);
            for (int j = 0; j < features[i].length; j++) {
                libsvm.append(' ').append(j + firstIndex).append(':').append(features[i][j]);
            }
            libsvm.append('\n');
        }
        return libsvm.toString();
    }

    /** The features as an application/json inference request: {@code {"instances": [{"features": [...]}, ...]}}. */
    public String instancesJson() {
        return "{\"instances\": [" + String.join(", ", featureArrays().stream().map(a -> "{\"features\": " + a + "}").toList()) + "]}";
    }

    /** The features as an application/jsonlines inference request: a {@code {"features": [...]}} a line. */
    public String jsonLines() {
        return String.join("", featureArrays().stream().map(a -> "{\"features\": " + a + "}\n").toList());
    }

    private List<String> featureArrays() {
        return Arrays.stream(features).map(row -> {
            StringBuilder array = new StringBuilder("[");
            for (int j = 0; j < row.length; j++) {
                array.append(j == 0 ? "" : ", ").append(row[j]);
            }
            return array.append(']').toString();
        }).toList();
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive). */
    public Dataset rows(int from, int to) {
        return new Dataset(Arrays.copyOfRange(features, from, to), Arrays.copyOfRange(labels, from, to));
    }
}
