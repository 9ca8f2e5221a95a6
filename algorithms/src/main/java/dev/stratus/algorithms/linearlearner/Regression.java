package dev.stratus.algorithms.linearlearner;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.builtin.ChannelData;
import dev.stratus.algorithms.builtin.QualityMetric;
import dev.stratus.algorithms.builtin.TribuoModels;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseVector;
import org.tribuo.provenance.ModelProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.sgd.RegressionObjective;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.AbsoluteLoss;
import org.tribuo.regression.sgd.objectives.Huber;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/**
 * A regressor: any real label, one score. Training targets are normalized labels; objectives and
 * metrics are reported in the label's own units.
 */
final class Regression implements Task<DenseVector> {

    /** The name of the Tribuo model's one output. */
    static final String OUTPUT = "label";

    private final LinearLearnerHyperparameters hyperparameters;
    private final Scaler scaler;
    private final RegressionObjective objective;

    Regression(LinearLearnerHyperparameters hyperparameters, Scaler scaler) {
        this.hyperparameters = hyperparameters;
        this.scaler = scaler;
        this.objective = switch (hyperparameters.loss()) {
            case ABSOLUTE_LOSS -> new AbsoluteLoss();
            // huber_delta is in the label's units; training sees normalized labels.
            case HUBER_LOSS -> new Huber(scaler.labelDistance(hyperparameters.huberDelta()));
            default -> new SquaredLoss();
        };
    }

    @Override
    public DenseVector[] targets(ChannelData data) throws AlgorithmError {
        DenseVector[] targets = new DenseVector[data.rows()];
        for (int row = 0; row < targets.length; row++) {
            float label = data.labels()[row];
            if (!Float.isFinite(label)) {
                throw AlgorithmError.clientError(data.where(row) + ": label " + label + " is not a finite number");
            }
            targets[row] = DenseVector.createDenseVector(new double[] {scaler.label(label)});
        }
        return targets;
    }

    @Override
    public SGDObjective<DenseVector> objective() {
        return objective;
    }

    @Override
    public String objectiveName() {
        return hyperparameters.loss().objective;
    }

    @Override
    public double objective(DenseVector[] scores, DenseVector[] targets) {
        double sum = 0;
        double delta = hyperparameters.huberDelta();
        for (int i = 0; i < scores.length; i++) {
            double residual = Math.abs(residual(scores[i], targets[i]));
            sum += switch (hyperparameters.loss()) {
                case ABSOLUTE_LOSS -> residual;
                case HUBER_LOSS -> residual <= delta ? residual * residual / 2 : delta * (residual - delta / 2);
                default -> residual * residual;
            };
        }
        return sum / scores.length;
    }

    @Override
    public List<QualityMetric> metrics(String channel, DenseVector[] scores, DenseVector[] targets) {
        double squares = 0;
        double absolutes = 0;
        for (int i = 0; i < scores.length; i++) {
            double residual = residual(scores[i], targets[i]);
            squares += residual * residual;
            absolutes += Math.abs(residual);
        }
        double mse = squares / scores.length;
        return List.of(QualityMetric.loss(channel, objectiveName(), objective(scores, targets)),
                QualityMetric.loss(channel, "mse", mse),
                QualityMetric.loss(channel, "rmse", Math.sqrt(mse)),
                QualityMetric.loss(channel, "absolute_loss", absolutes / scores.length));
    }

    /** The label minus the prediction, in the label's units. */
    private double residual(DenseVector score, DenseVector target) {
        return scaler.rawLabel(target.get(0)) - scaler.rawLabel(score.get(0));
    }

    @Override
    public Model<?> model(ChannelData train, LinearParameters weights) throws AlgorithmError {
        MutableDataset<Regressor> dataset = TribuoModels.dataset(train, "train", new RegressionFactory(),
                row -> new Regressor(OUTPUT, train.labels()[row]));
        return new Models(objective, hyperparameters).model(dataset, weights);
    }

    @Override
    public Map<String, Object> metadata() {
        return Map.of("output", OUTPUT);
    }

    /** Tribuo's trainer, used only to make its model of the weights trained here: the model's constructor is not public. */
    private static final class Models extends LinearSGDTrainer {

        Models(RegressionObjective objective, LinearLearnerHyperparameters hyperparameters) {
            super(objective, hyperparameters.optimiser(), hyperparameters.epochs(), -1, hyperparameters.miniBatchSize(),
                    LinearLearnerTrainer.SEED);
        }

        Model<Regressor> model(MutableDataset<Regressor> dataset, LinearParameters weights) {
            ModelProvenance provenance = new ModelProvenance(getModelClassName(), OffsetDateTime.now(), dataset.getProvenance(),
                    getProvenance());
            return createModel(getName(), provenance, dataset.getFeatureIDMap(), dataset.getOutputIDInfo(), weights);
        }
    }
}
