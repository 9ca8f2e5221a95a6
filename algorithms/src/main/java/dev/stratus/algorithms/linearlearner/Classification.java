package dev.stratus.algorithms.linearlearner;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.builtin.ChannelData;
import dev.stratus.algorithms.builtin.QualityMetric;
import dev.stratus.algorithms.builtin.TribuoModels;
import dev.stratus.algorithms.linearlearner.LinearLearnerHyperparameters.Loss;
import dev.stratus.algorithms.linearlearner.LinearLearnerHyperparameters.PredictorType;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.LabelObjective;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.Hinge;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseVector;
import org.tribuo.provenance.ModelProvenance;

/**
 * Binary and multi-class classifiers: labels 0 to num_classes - 1 (0 or 1 for binary), one score per
 * class. The Tribuo model's label of class i is named {@code "i"}; with logistic or softmax loss its
 * scores are the class probabilities.
 */
final class Classification implements Task<Integer> {

    private final LinearLearnerHyperparameters hyperparameters;
    private final LabelObjective objective;

    Classification(LinearLearnerHyperparameters hyperparameters) {
        this.hyperparameters = hyperparameters;
        this.objective = hyperparameters.loss() == Loss.HINGE_LOSS ? new Hinge(hyperparameters.margin()) : new LogMulticlass();
    }

    private int classes() {
        return hyperparameters.outputs();
    }

    private boolean binary() {
        return hyperparameters.predictorType() == PredictorType.BINARY_CLASSIFIER;
    }

    @Override
    public Integer[] targets(ChannelData data) throws AlgorithmError {
        Integer[] targets = new Integer[data.rows()];
        for (int row = 0; row < targets.length; row++) {
            float label = data.labels()[row];
            if (label != Math.rint(label) || label < 0 || label >= classes()) {
                throw AlgorithmError.clientError(data.where(row) + ": label " + label + " is not "
                        + (binary() ? "0 or 1" : "an integer in [0, " + classes() + ")") + " (predictor_type "
                        + hyperparameters.predictorType().sageMakerName() + ")");
            }
            targets[row] = (int) label;
        }
        return targets;
    }

    @Override
    public SGDObjective<Integer> objective() {
        return objective;
    }

    @Override
    public String objectiveName() {
        return hyperparameters.loss().objective;
    }

    /** Cross entropy of the softmax of the scores, or the hinge loss of Tribuo's multi-class hinge. */
    @Override
    public double objective(DenseVector[] scores, Integer[] targets) {
        double sum = 0;
        for (int i = 0; i < scores.length; i++) {
            DenseVector score = scores[i];
            int truth = targets[i];
            if (hyperparameters.loss() == Loss.HINGE_LOSS) {
                double rival = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < score.size(); c++) {
                    rival = c == truth ? rival : Math.max(rival, score.get(c));
                }
                sum += Math.max(0, hyperparameters.margin() + rival - score.get(truth));
            } else {
                double max = score.maxValue();
                double exponentials = 0;
                for (int c = 0; c < score.size(); c++) {
                    exponentials += Math.exp(score.get(c) - max);
                }
                sum += max + Math.log(exponentials) - score.get(truth);
            }
        }
        return sum / scores.length;
    }

    @Override
    public List<QualityMetric> metrics(String channel, DenseVector[] scores, Integer[] targets) {
        int classes = classes();
        int[][] confusion = new int[classes][classes];
        int topK = 0;
        for (int i = 0; i < scores.length; i++) {
            confusion[targets[i]][scores[i].indexOfMax()]++;
            int higher = 0;
            for (int c = 0; c < classes; c++) {
                higher += scores[i].get(c) > scores[i].get(targets[i]) ? 1 : 0;
            }
            topK += higher < hyperparameters.accuracyTopK() ? 1 : 0;
        }
        double correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += confusion[c][c];
        }
        double beta = hyperparameters.fBeta();
        String fName = String.format(Locale.ROOT, "%.3f", beta);
        List<QualityMetric> metrics = new ArrayList<>();
        metrics.add(QualityMetric.loss(channel, objectiveName(), objective(scores, targets)));
        if (binary()) {
            double precision = precision(confusion, 1);
            double recall = recall(confusion, 1);
            metrics.add(QualityMetric.score(channel, "binary_classification_accuracy", correct / scores.length));
            metrics.add(QualityMetric.score(channel, "binary_f_" + fName, fScore(precision, recall, beta)));
            metrics.add(QualityMetric.score(channel, "precision", precision));
            metrics.add(QualityMetric.score(channel, "recall", recall));
        } else {
            double precision = 0;
            double recall = 0;
            double f = 0;
            for (int c = 0; c < classes; c++) {
                precision += precision(confusion, c) / classes;
                recall += recall(confusion, c) / classes;
                f += fScore(precision(confusion, c), recall(confusion, c), beta) / classes;
            }
            metrics.add(QualityMetric.score(channel, "multiclass_accuracy", correct / scores.length));
            metrics.add(QualityMetric.score(channel, "multiclass_top_k_accuracy_" + hyperparameters.accuracyTopK(),
                    (double) topK / scores.length));
            metrics.add(QualityMetric.score(channel, "macro_recall", recall));
            metrics.add(QualityMetric.score(channel, "macro_precision", precision));
            metrics.add(QualityMetric.score(channel, "macro_f_" + fName, f));
        }
        return metrics;
    }

    /** Of the records predicted as {@code c}, those that are; 0 when none is. */
    private static double precision(int[][] confusion, int c) {
        int predicted = 0;
        for (int[] truth : confusion) {
            predicted += truth[c];
        }
        return predicted == 0 ? 0 : (double) confusion[c][c] / predicted;
    }

    /** Of the records of class {@code c}, those predicted as such; 0 when there are none. */
    private static double recall(int[][] confusion, int c) {
        int actual = 0;
        for (int count : confusion[c]) {
            actual += count;
        }
        return actual == 0 ? 0 : (double) confusion[c][c] / actual;
    }

    private static double fScore(double precision, double recall, double beta) {
        double denominator = beta * beta * precision + recall;
        return denominator == 0 ? 0 : (1 + beta * beta) * precision * recall / denominator;
    }

    @Override
    public Model<?> model(ChannelData train, LinearParameters weights) throws AlgorithmError {
        LabelFactory factory = new LabelFactory();
        MutableDataset<Label> dataset = TribuoModels.dataset(train, "train", factory,
                row -> new Label(Integer.toString((int) train.labels()[row])));
        // Every class, even one the train channel lacks, in class order: the model's output i is class i.
        Map<Label, Integer> ids = new HashMap<>();
        for (int c = 0; c < classes(); c++) {
            ids.put(new Label(Integer.toString(c)), c);
        }
        return new Models(objective, hyperparameters).model(dataset, factory.constructInfoForExternalModel(ids), weights);
    }

    @Override
    public Map<String, Object> metadata() {
        List<String> labels = new ArrayList<>();
        for (int c = 0; c < classes(); c++) {
            labels.add(Integer.toString(c));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("num_classes", classes());
        metadata.put("labels", labels);
        // Logistic and softmax scores are the class probabilities; hinge loss scores are margins.
        metadata.put("probabilities", hyperparameters.loss() != Loss.HINGE_LOSS);
        return metadata;
    }

    /** Tribuo's trainer, used only to make its model of the weights trained here: the model's constructor is not public. */
    private static final class Models extends LinearSGDTrainer {

        Models(LabelObjective objective, LinearLearnerHyperparameters hyperparameters) {
            super(objective, hyperparameters.optimiser(), hyperparameters.epochs(), -1, hyperparameters.miniBatchSize(),
                    LinearLearnerTrainer.SEED);
        }

        Model<Label> model(MutableDataset<Label> dataset, ImmutableOutputInfo<Label> labels, LinearParameters weights) {
            ModelProvenance provenance = new ModelProvenance(getModelClassName(), OffsetDateTime.now(), dataset.getProvenance(),
                    getProvenance());
            return createModel(getName(), provenance, dataset.getFeatureIDMap(), labels, weights);
        }
    }
}
