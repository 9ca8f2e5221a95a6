package dev.stratus.algorithms.kmeans;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.Trainer;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.builtin.ChannelData;
import dev.stratus.algorithms.builtin.QualityMetric;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.MutableDataset;
import org.tribuo.clustering.ClusterID;
import org.tribuo.clustering.ClusteringFactory;
import org.tribuo.clustering.kmeans.KMeansModel;
import org.tribuo.math.distance.DistanceType;

/**
 * SageMaker's built-in K-Means, training side: its hyperparameters, channels (train, and test;
 * text/csv of features, or {@code text/csv;label_size=1} with a first column to skip), metric lines
 * and model, on Tribuo's k-means: Lloyd's algorithm on all the train records, as SageMaker's final
 * "local Lloyd" phase. The centers are saved as a Tribuo model ({@link TribuoModels#MODEL_FILE}) with a
 * description ({@link TribuoModels#METADATA_FILE}). One instance only.
 */
public final class KMeansTrainer implements Trainer {

    /** Each trial's seed derives from it: the same job finds the same centers. */
    private static final long SEED = 1;

    private final PrintStream out;

    public KMeansTrainer() {
        this(System.out);
    }

    KMeansTrainer(PrintStream out) {
        this.out = out;
    }

    @Override
    public void train(TrainingContext context) throws AlgorithmError, IOException {
        KMeansHyperparameters hyperparameters = KMeansHyperparameters.validate(context);
        ChannelData.checkChannels(context, Set.of("train", "test"));
        if (context.hosts().size() > 1) {
            throw AlgorithmError.clientError("distributed K-Means (InstanceCount > 1) is not supported locally yet: use InstanceCount 1");
        }
        if (!hyperparameters.ignored().isEmpty()) {
            out.println("Accepted, not applied locally (Lloyd's algorithm runs on all the records, without SageMaker's streaming"
                    + " phase): " + String.join(", ", hyperparameters.ignored()));
        }
        ChannelData train = read(context, "train", null);
        train.checkFeatures("feature_dim", hyperparameters.featureDim());
        if (hyperparameters.k() > train.rows()) {
            throw AlgorithmError.clientError("Hyperparameter k: " + hyperparameters.k() + " is more than the " + train.rows()
                    + " records of the train channel");
        }
        ChannelData test = context.channels().contains("test") ? read(context, "test", train) : null;

        KMeansModel model = fit(train, hyperparameters);
        String host = context.currentHost();
        out.println(QualityMetric.loss("train", "msd", Distances.of(model, train).mean()).line(host));
        if (test != null) {
            Distances distances = Distances.of(model, test);
            for (String metric : hyperparameters.evalMetrics()) {
                double value = metric.equals("ssd") ? distances.sum() : distances.mean();
                out.println(QualityMetric.loss("test", metric, value).line(host));
            }
        }

        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("algorithm", "kmeans");
        metadata.put("k", hyperparameters.k());
        metadata.put("feature_dim", train.features());
        TribuoModels.save(model, metadata, context.modelDir());
        out.println("Saved the model to " + context.modelDir().resolve(TribuoModels.MODEL_FILE));
    }

    private ChannelData read(TrainingContext context, String channel, ChannelData train) throws AlgorithmError, IOException {
        ChannelData data = ChannelData.read(context, channel, ChannelData.sageMakerCsvLayout(context, channel, 0), train);
        data.checkNoEmptyCells();
        out.println("Channel " + channel + ": " + data.rows() + " records of " + data.features() + " features");
        return data;
    }

    /** The best of local_lloyd_num_trials runs of Lloyd's algorithm: the least mean square distance. */
    private KMeansModel fit(ChannelData train, KMeansHyperparameters hyperparameters) throws AlgorithmError {
        MutableDataset<ClusterID> dataset = TribuoModels.dataset(train, "train", new ClusteringFactory(),
                row -> ClusteringFactory.UNASSIGNED_CLUSTER_ID);
        KMeansModel best = null;
        double bestMsd = Double.POSITIVE_INFINITY;
        for (int trial = 0; trial < hyperparameters.trials(); trial++) {
            org.tribuo.clustering.kmeans.KMeansTrainer lloyd = new org.tribuo.clustering.kmeans.KMeansTrainer(hyperparameters.k(),
                    hyperparameters.maxIterations(), DistanceType.L2.getDistance(), hyperparameters.initialisation(),
                    Runtime.getRuntime().availableProcessors(), SEED + trial);
            KMeansModel model = lloyd.train(dataset);
            double msd = Distances.of(model, train).mean();
            out.println(String.format(Locale.ROOT, "local kmeans attempt #%d. Current mean square distance %.6f", trial, msd));
            if (msd < bestMsd) {
                best = model;
                bestMsd = msd;
            }
        }
        return best;
    }

    /** Each record's squared euclidean distance to its closest center. */
    private record Distances(double sum, int count) {

        static Distances of(KMeansModel model, ChannelData data) {
            Centers centers = new Centers(model);
            double sum = 0;
            for (int row = 0; row < data.rows(); row++) {
                sum += centers.nearest(data.dense(), row).squaredDistance();
            }
            return new Distances(sum, data.rows());
        }

        double mean() {
            return sum / count;
        }
    }
}
