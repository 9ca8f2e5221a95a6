package dev.stratus.algorithms.linearlearner;

import static dev.stratus.algorithms.builtin.HyperparameterRules.any;
import static dev.stratus.algorithms.builtin.HyperparameterRules.bool;
import static dev.stratus.algorithms.builtin.HyperparameterRules.boolOrAuto;
import static dev.stratus.algorithms.builtin.HyperparameterRules.integer;
import static dev.stratus.algorithms.builtin.HyperparameterRules.integerOrAuto;
import static dev.stratus.algorithms.builtin.HyperparameterRules.number;
import static dev.stratus.algorithms.builtin.HyperparameterRules.numberOrAuto;
import static dev.stratus.algorithms.builtin.HyperparameterRules.oneOf;
import static dev.stratus.algorithms.builtin.HyperparameterRules.orAuto;
import static dev.stratus.algorithms.builtin.HyperparameterRules.orWords;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.builtin.HyperparameterRules;
import dev.stratus.algorithms.builtin.HyperparameterRules.Interval;
import dev.stratus.algorithms.builtin.HyperparameterRules.Rule;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.optimisers.RMSProp;
import org.tribuo.math.optimisers.SGD;

/**
 * SageMaker Linear Learner's hyperparameters: every name the real algorithm accepts, with the ranges
 * of SageMaker's documentation and the SageMaker Python SDK, and the values applied here. One model
 * is trained with the given settings; the names that only steer what SageMaker adds around it
 * (parallel models, threshold calibration, learning-rate schedules, class weights) are accepted and
 * listed in {@link #ignored()}.
 *
 * @param outputs the classes of a classifier (labels 0 to outputs - 1), or the one output of a regressor
 * @param featureDim 0 when the job leaves it to the data ({@code auto})
 */
record LinearLearnerHyperparameters(PredictorType predictorType, int outputs, int featureDim, int epochs,
        int miniBatchSize, Loss loss, double margin, double huberDelta, StochasticGradientOptimiser optimiser, double l1,
        double wd, boolean normalizeData, boolean normalizeLabel, int numPointForScaler, boolean useBias,
        int earlyStoppingPatience, double earlyStoppingTolerance, double fBeta, int accuracyTopK, List<String> ignored) {

    enum PredictorType {
        BINARY_CLASSIFIER, MULTICLASS_CLASSIFIER, REGRESSOR;

        /** SageMaker's spelling. */
        String sageMakerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The losses applied here, each with the name its objective has in SageMaker's metric lines. */
    enum Loss {
        LOGISTIC("binary_classification_cross_entropy_objective"),
        SOFTMAX_LOSS("multiclass_cross_entropy_objective"),
        HINGE_LOSS("hinge_loss_objective"),
        SQUARED_LOSS("mse_objective"),
        ABSOLUTE_LOSS("absolute_loss_objective"),
        HUBER_LOSS("huber_loss_objective");

        /** As SageMaker's logs show them for logistic, softmax and squared loss; the others follow their pattern. */
        final String objective;

        Loss(String objective) {
            this.objective = objective;
        }

        String sageMakerName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    private static final List<String> REGRESSION_LOSSES = List.of("auto", "squared_loss", "absolute_loss", "huber_loss");
    /** SageMaker's regression losses that Tribuo has no objective for. */
    private static final List<String> UNSUPPORTED_LOSSES = List.of("eps_insensitive_squared_loss",
            "eps_insensitive_absolute_loss", "quantile_loss");
    /** Accepted, and without effect here: they tune the parallel models, thresholds and schedules SageMaker adds. */
    private static final List<String> NOT_APPLIED = List.of("balance_multiclass_weights", "bias_lr_mult", "bias_wd_mult",
            "binary_classifier_model_selection_criteria", "init_bias", "init_method", "init_scale", "init_sigma",
            "loss_insensitivity", "lr_scheduler_factor", "lr_scheduler_minimum_lr", "lr_scheduler_step",
            "num_calibration_samples", "num_models", "positive_example_weight_mult", "quantile", "target_precision",
            "target_recall", "unbias_data", "unbias_label", "use_lr_scheduler");

    static {
        RULES.put("predictor_type", oneOf(List.of("binary_classifier", "multiclass_classifier", "regressor")));
        RULES.put("feature_dim", orAuto(integer(Interval.atLeast(1))));
        RULES.put("num_classes", integer(Interval.closed(3, 1_000_000)));
        RULES.put("epochs", integer(Interval.atLeast(1)));
        RULES.put("mini_batch_size", integer(Interval.atLeast(1)));
        RULES.put("loss", oneOf(List.of("auto", "logistic", "squared_loss", "absolute_loss", "hinge_loss",
                "eps_insensitive_squared_loss", "eps_insensitive_absolute_loss", "quantile_loss", "huber_loss", "softmax_loss")));
        RULES.put("margin", number(Interval.atLeast(0)));
        RULES.put("huber_delta", number(Interval.above(0)));
        RULES.put("optimizer", oneOf(List.of("auto", "sgd", "adam", "rmsprop")));
        RULES.put("learning_rate", orAuto(number(Interval.above(0))));
        RULES.put("beta_1", orAuto(number(Interval.atLeastBelow(0, 1))));
        RULES.put("beta_2", orAuto(number(Interval.atLeastBelow(0, 1))));
        RULES.put("momentum", orAuto(number(Interval.atLeastBelow(0, 1))));
        RULES.put("l1", orAuto(number(Interval.atLeast(0))));
        RULES.put("wd", orAuto(number(Interval.atLeast(0))));
        RULES.put("normalize_data", orAuto(bool()));
        RULES.put("normalize_label", orAuto(bool()));
        RULES.put("num_point_for_scaler", integer(Interval.atLeast(1)));
        RULES.put("use_bias", bool());
        RULES.put("early_stopping_patience", integer(Interval.atLeast(1)));
        RULES.put("early_stopping_tolerance", number(Interval.above(0)));
        RULES.put("f_beta", number(Interval.above(0)));
        RULES.put("accuracy_top_k", integer(Interval.closed(1, 1_000_000)));
        RULES.put("balance_multiclass_weights", bool());
        RULES.put("bias_lr_mult", orAuto(number(Interval.above(0))));
        RULES.put("bias_wd_mult", orAuto(number(Interval.atLeast(0))));
        RULES.put("binary_classifier_model_selection_criteria", oneOf(List.of("accuracy", "f1", "f_beta",
                "precision_at_target_recall", "recall_at_target_precision", "cross_entropy_loss", "loss_function")));
        RULES.put("init_bias", number());
        RULES.put("init_method", oneOf(List.of("uniform", "normal")));
        RULES.put("init_scale", number(Interval.above(0)));
        RULES.put("init_sigma", number(Interval.above(0)));
        RULES.put("loss_insensitivity", number(Interval.above(0)));
        RULES.put("lr_scheduler_factor", orAuto(number(Interval.open(0, 1))));
        RULES.put("lr_scheduler_minimum_lr", orAuto(number(Interval.above(0))));
        RULES.put("lr_scheduler_step", orAuto(integer(Interval.atLeast(1))));
        RULES.put("num_calibration_samples", orAuto(integer(Interval.atLeast(1))));
        RULES.put("num_models", orAuto(integer(Interval.atLeast(1))));
        RULES.put("positive_example_weight_mult", orWords(number(Interval.above(0)), "auto", "balanced"));
        RULES.put("quantile", number(Interval.open(0, 1)));
        RULES.put("target_precision", number(Interval.open(0, 1)));
        RULES.put("target_recall", number(Interval.open(0, 1)));
        RULES.put("unbias_data", orAuto(bool()));
        RULES.put("unbias_label", orAuto(bool()));
        RULES.put("use_lr_scheduler", bool());
        RULES.put("_tuning_objective_metric", any());
    }

    /** Checks the job's hyperparameters: required ones first, then unknown names, then each value, then combinations. */
    static LinearLearnerHyperparameters validate(TrainingContext context) throws AlgorithmError {
        context.requiredHyperparameter("predictor_type");
        HyperparameterRules.check(context, RULES);
        PredictorType type = PredictorType.valueOf(context.hyperparameters().get("predictor_type").trim().toUpperCase(Locale.ROOT));
        List<String> ignored = new ArrayList<>();
        for (String name : context.hyperparameters().keySet()) {
            if (NOT_APPLIED.contains(name)) {
                ignored.add(name);
            }
        }
        int outputs = switch (type) {
            case BINARY_CLASSIFIER -> 2;
            case MULTICLASS_CLASSIFIER -> {
                if (!context.hyperparameters().containsKey("num_classes")) {
                    throw AlgorithmError.clientError("Missing required hyperparameter: num_classes (predictor_type "
                            + type.sageMakerName() + " needs it)");
                }
                yield context.intHyperparameter("num_classes", 0);
            }
            case REGRESSOR -> 1;
        };
        // SageMaker ignores these two where they do not apply; so does this, saying so.
        if (type != PredictorType.MULTICLASS_CLASSIFIER && context.hyperparameters().containsKey("num_classes")) {
            ignored.add("num_classes");
        }
        boolean normalizeLabel = type == PredictorType.REGRESSOR && boolOrAuto(context, "normalize_label", true);
        if (type != PredictorType.REGRESSOR && context.hyperparameters().containsKey("normalize_label")) {
            ignored.add("normalize_label");
        }
        return new LinearLearnerHyperparameters(type, outputs,
                integerOrAuto(context, "feature_dim", 0),
                context.intHyperparameter("epochs", 15),
                context.intHyperparameter("mini_batch_size", 1000),
                loss(context, type),
                context.doubleHyperparameter("margin", 1.0),
                context.doubleHyperparameter("huber_delta", 1.0),
                optimiser(context),
                numberOrAuto(context, "l1", 0),
                numberOrAuto(context, "wd", 0),
                boolOrAuto(context, "normalize_data", true),
                normalizeLabel,
                context.intHyperparameter("num_point_for_scaler", 10_000),
                context.booleanHyperparameter("use_bias", true),
                context.intHyperparameter("early_stopping_patience", 3),
                context.doubleHyperparameter("early_stopping_tolerance", 0.001),
                context.doubleHyperparameter("f_beta", 1.0),
                context.intHyperparameter("accuracy_top_k", 3),
                List.copyOf(ignored));
    }

    /** Training has no feature_dim to check when the job leaves it to the data. */
    boolean featureDimAuto() {
        return featureDim == 0;
    }

    /** {@code auto} is logistic loss for binary classifiers, softmax loss for multi-class ones, squared loss for regressors. */
    private static Loss loss(TrainingContext context, PredictorType type) throws AlgorithmError {
        String loss = context.hyperparameter("loss", "auto").trim();
        List<String> applicable = switch (type) {
            case BINARY_CLASSIFIER -> List.of("auto", "logistic", "hinge_loss");
            case MULTICLASS_CLASSIFIER -> List.of("auto", "softmax_loss", "hinge_loss");
            case REGRESSOR -> REGRESSION_LOSSES;
        };
        if (type == PredictorType.REGRESSOR && UNSUPPORTED_LOSSES.contains(loss)) {
            throw AlgorithmError.clientError("Hyperparameter loss: " + loss + " is not supported locally yet; use one of "
                    + applicable);
        }
        if (!applicable.contains(loss)) {
            throw AlgorithmError.clientError("Hyperparameter loss: " + loss + " does not apply to predictor_type "
                    + type.sageMakerName() + "; use one of " + applicable);
        }
        if (!loss.equals("auto")) {
            return Loss.valueOf(loss.toUpperCase(Locale.ROOT));
        }
        return switch (type) {
            case BINARY_CLASSIFIER -> Loss.LOGISTIC;
            case MULTICLASS_CLASSIFIER -> Loss.SOFTMAX_LOSS;
            case REGRESSOR -> Loss.SQUARED_LOSS;
        };
    }

    /**
     * {@code auto} is Adam, as on SageMaker. SageMaker does not publish its automatic learning rates;
     * these train the (normalized) data in a few epochs.
     */
    private static StochasticGradientOptimiser optimiser(TrainingContext context) throws AlgorithmError {
        return switch (context.hyperparameter("optimizer", "auto").trim()) {
            case "sgd" -> SGD.getSimpleSGD(numberOrAuto(context, "learning_rate", 0.1), numberOrAuto(context, "momentum", 0),
                    SGD.Momentum.STANDARD);
            case "rmsprop" -> new RMSProp(numberOrAuto(context, "learning_rate", 0.01), 0.9);
            default -> new Adam(numberOrAuto(context, "learning_rate", 0.05), numberOrAuto(context, "beta_1", 0.9),
                    numberOrAuto(context, "beta_2", 0.999), 1e-8);
        };
    }
}
