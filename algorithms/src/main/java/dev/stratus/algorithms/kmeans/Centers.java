package dev.stratus.algorithms.kmeans;

import org.tribuo.clustering.kmeans.KMeansModel;
import org.tribuo.math.la.DenseVector;

/** A k-means model's centers; center i is cluster i. The model numbers features as the columns (TribuoModels.featureNames). */
final class Centers {

    private final DenseVector[] centers;

    Centers(KMeansModel model) {
        this.centers = model.getCentroidVectors();
    }

    int features() {
        return centers[0].size();
    }

    /** The center closest to a row of {@code cells} (rows of {@link #features} values, one after another). */
    Nearest nearest(float[] cells, int row) {
        int features = features();
        int closest = 0;
        double least = Double.POSITIVE_INFINITY;
        for (int c = 0; c < centers.length; c++) {
            double squares = 0;
            for (int j = 0; j < features; j++) {
                double difference = cells[row * features + j] - centers[c].get(j);
                squares += difference * difference;
            }
            if (squares < least) {
                least = squares;
                closest = c;
            }
        }
        return new Nearest(closest, least);
    }

    record Nearest(int center, double squaredDistance) {
    }
}
