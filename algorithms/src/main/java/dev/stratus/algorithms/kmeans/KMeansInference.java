package dev.stratus.algorithms.kmeans;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.builtin.TribuoInference;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.kmeans.KMeansModel;

/**
 * SageMaker's built-in K-Means, serving side: reads {@code text/csv}, {@code application/json} and
 * {@code application/jsonlines}; answers JSON (the default), JSON Lines or CSV with SageMaker's fields
 * {@code closest_cluster} and {@code distance_to_cluster} (Euclidean).
 */
public final class KMeansInference extends TribuoInference {

    private Centers centers;

    @Override
    public void load(Path modelDir) throws IOException {
        centers = new Centers((KMeansModel) TribuoModels.load(modelDir, ClusterID.class));
    }

    @Override
    protected int features() {
        return centers.features();
    }

    @Override
    protected List<Map<String, Object>> predict(float[] cells, int rows) {
        List<Map<String, Object>> predictions = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            Centers.Nearest nearest = centers.nearest(cells, row);
            Map<String, Object> record = new LinkedHashMap<>();
            // SageMaker writes the cluster's number as a float (1.0).
            record.put("closest_cluster", (float) nearest.center());
            record.put("distance_to_cluster", (float) Math.sqrt(nearest.squaredDistance()));
            predictions.add(record);
        }
        return predictions;
    }
}
