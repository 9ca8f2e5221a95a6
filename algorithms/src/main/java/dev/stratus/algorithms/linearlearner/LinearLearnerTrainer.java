package dev.stratus.algorithms.linearlearner;

import java.io.IOException;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.Trainer;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.builtin.ChannelData;
import dev.stratus.algorithms.builtin.ChannelData.Layout;
import dev.stratus.algorithms.builtin.QualityMetric;
import dev.stratus.algorithms.builtin.TribuoModels;
import dev.stratus.algorithms.linearlearner.LinearLearnerHyperparameters.PredictorType;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseVector;

/**
 * SageMaker's built-in Linear Learner, training side: its hyperparameters, channels (train, and
 * validation and test, text/csv with the label first), metric lines and model, on Tribuo's linear
 * models. One model is trained; each epoch logs its objective, and early stopping watches the
 * validation channel (train without one), as SageMaker's does. The best epoch's weights are saved as
 * a Tribuo model ({@link TribuoModels#MODEL_FILE}) with a description ({@link TribuoModels#METADATA_FILE}).
 * One instance only.
 */
public final class LinearLearnerTrainer implements Trainer {

    /** Shuffling is seeded: the same job trains the same model. */
    static final long SEED = 1;

    private static final List<String> CHANNELS = List.of("train", "validation", "test");

    private final PrintStream out;

    public LinearLearnerTrainer() {
        this(System.out);
    }

    LinearLearnerTrainer(PrintStream out) {
        this.out = out;
    }

    @Override
    public void train(TrainingContext context) throws AlgorithmError, IOException {
        LinearLearnerHyperparameters hyperparameters = LinearLearnerHyperparameters.validate(context);
        ChannelData.checkChannels(context, Set.copyOf(CHANNELS));
        if (context.hosts().size() > 1) {
            throw AlgorithmError.clientError("distributed Linear Learner (InstanceCount > 1) is not supported locally yet:"
                    + " use InstanceCount 1");
        }
        if (!hyperparameters.ignored().isEmpty()) {
            out.println("Accepted, not applied locally (one model is trained, without threshold calibration or learning-rate"
                    + " schedule): " + String.join(", ", hyperparameters.ignored()));
        }
        Map<String, ChannelData> channels = read(context, hyperparameters);
        Scaler scaler = Scaler.fit(channels.get("train"), hyperparameters);
        Task<?> task = hyperparameters.predictorType() == PredictorType.REGRESSOR
                ? new Regression(hyperparameters, scaler)
                : new Classification(hyperparameters);
        fit(task, channels, scaler, hyperparameters, context);
    }

    /** The job's channels, each with as many features as train, which must match feature_dim unless that is auto. */
    private Map<String, ChannelData> read(TrainingContext context, LinearLearnerHyperparameters hyperparameters)
            throws AlgorithmError, IOException {
        Map<String, ChannelData> channels = new LinkedHashMap<>();
        for (String channel : CHANNELS) {
            if (!context.channels().contains(channel)) {
                continue;
            }
            if (ChannelData.sageMakerCsvLayout(context, channel, 1) != Layout.CSV_LABEL_FEATURES) {
                throw AlgorithmError.clientError("channel " + channel + ": Linear Learner reads the label from the first column;"
                        + " ContentType " + context.contentType(channel).orElseThrow() + " has none");
            }
            ChannelData data = ChannelData.read(context, channel, Layout.CSV_LABEL_FEATURES, channels.get("train"));
            data.checkNoEmptyCells();
            if (channel.equals("train") && !hyperparameters.featureDimAuto()) {
                data.checkFeatures("feature_dim", hyperparameters.featureDim());
            }
            out.println("Channel " + channel + ": " + data.rows() + " records of " + data.features() + " features");
            channels.put(channel, data);
        }
        return channels;
    }

    private <U> void fit(Task<U> task, Map<String, ChannelData> channels, Scaler scaler,
            LinearLearnerHyperparameters hyperparameters, TrainingContext context) throws AlgorithmError, IOException {
        Map<String, Examples<U>> examples = new LinkedHashMap<>();
        for (Map.Entry<String, ChannelData> channel : channels.entrySet()) {
            ChannelData data = channel.getValue();
            DenseVector[] features = new DenseVector[data.rows()];
            for (int row = 0; row < features.length; row++) {
                features[row] = scaler.features(data, row);
            }
            examples.put(channel.getKey(), new Examples<>(features, task.targets(data)));
        }
        Examples<U> train = examples.get("train");
        String host = context.currentHost();
        String watched = examples.containsKey("validation") ? "validation" : "train";
        int patience = hyperparameters.earlyStoppingPatience();
        double tolerance = hyperparameters.earlyStoppingTolerance();

        Sgd<U> sgd = new Sgd<>(new LinearParameters(channels.get("train").features() + 1, hyperparameters.outputs()),
                task.objective(), hyperparameters.optimiser(), hyperparameters.miniBatchSize(), hyperparameters.l1(),
                hyperparameters.wd(), SEED);
        LinearParameters best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        int bestEpoch = 0;
        int stale = 0;
        for (int epoch = 0; epoch < hyperparameters.epochs(); epoch++) {
            sgd.epoch(train.features(), train.targets());
            double loss = Double.NaN;
            for (String channel : List.of("train", "validation")) {
                if (examples.containsKey(channel)) {
                    Examples<U> data = examples.get(channel);
                    double objective = task.objective(scores(sgd.parameters(), data), data.targets());
                    out.println(QualityMetric.loss(channel, task.objectiveName(), objective).line(host, epoch));
                    if (channel.equals(watched)) {
                        loss = objective;
                    }
                }
            }
            if (!Double.isFinite(loss)) {
                throw AlgorithmError.clientError("Hyperparameter learning_rate: training diverged (" + watched + " "
                        + task.objectiveName() + " is " + loss + " after epoch " + epoch + "); lower learning_rate");
            }
            // An improvement counts when it exceeds early_stopping_tolerance, relative to the best loss so far.
            boolean improved = best == null || bestLoss - loss > tolerance * Math.abs(bestLoss);
            stale = improved ? 0 : stale + 1;
            if (loss < bestLoss) {
                best = sgd.parameters().copy();
                bestLoss = loss;
                bestEpoch = epoch;
            }
            if (stale >= patience && epoch + 1 < hyperparameters.epochs()) {
                out.println("Early stopping: " + watched + " " + task.objectiveName() + " has not improved for " + patience
                        + " epochs (early_stopping_patience)");
                break;
            }
        }
        out.println("Best model: epoch " + bestEpoch + ", " + watched + " " + task.objectiveName() + " " + bestLoss);

        for (Map.Entry<String, Examples<U>> channel : examples.entrySet()) {
            Examples<U> data = channel.getValue();
            List<QualityMetric> metrics = task.metrics(channel.getKey(), scores(best, data), data.targets());
            // After training SageMaker reports the train objective, and every metric of validation and test.
            for (QualityMetric metric : channel.getKey().equals("train") ? metrics.subList(0, 1) : metrics) {
                out.println(metric.line(host));
            }
        }
        save(task, channels.get("train"), scaler.fold(best), hyperparameters, context);
    }

    private void save(Task<?> task, ChannelData train, LinearParameters weights, LinearLearnerHyperparameters hyperparameters,
            TrainingContext context) throws AlgorithmError, IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("algorithm", "linear-learner");
        metadata.put("predictor_type", hyperparameters.predictorType().sageMakerName());
        metadata.put("feature_dim", train.features());
        metadata.put("loss", hyperparameters.loss().sageMakerName());
        metadata.putAll(task.metadata());
        TribuoModels.save(task.model(train, weights), metadata, context.modelDir());
        out.println("Saved the model to " + context.modelDir().resolve(TribuoModels.MODEL_FILE));
    }

    private static DenseVector[] scores(LinearParameters parameters, Examples<?> data) {
        DenseVector[] scores = new DenseVector[data.features().length];
        for (int i = 0; i < scores.length; i++) {
            scores[i] = parameters.predict(data.features()[i]);
        }
        return scores;
    }

    /** A channel's normalized features and training targets. */
    private record Examples<U>(DenseVector[] features, U[] targets) {
    }
}
