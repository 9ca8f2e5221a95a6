package dev.stratus.algorithms.kmeans;

import static dev.stratus.algorithms.builtin.HyperparameterRules.any;
import static dev.stratus.algorithms.builtin.HyperparameterRules.bool;
import static dev.stratus.algorithms.builtin.HyperparameterRules.integer;
import static dev.stratus.algorithms.builtin.HyperparameterRules.integerOrAuto;
import static dev.stratus.algorithms.builtin.HyperparameterRules.number;
import static dev.stratus.algorithms.builtin.HyperparameterRules.oneOf;
import static dev.stratus.algorithms.builtin.HyperparameterRules.orAuto;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.builtin.HyperparameterRules;
import dev.stratus.algorithms.builtin.HyperparameterRules.Interval;
import dev.stratus.algorithms.builtin.HyperparameterRules.Rule;
import org.tribuo.clustering.kmeans.KMeansTrainer.Initialisation;

/**
 * SageMaker K-Means's hyperparameters: every name the real algorithm accepts, with the ranges of its
 * documentation and the SageMaker Python SDK. SageMaker streams mini-batches over
 * {@code k * extra_center_factor} centers, then reduces them to k with Lloyd's algorithm ("local
 * Lloyd"); here Lloyd's algorithm runs on all the records at once, so the local_lloyd_* settings
 * apply, and the names of the streaming phase are accepted and listed in {@link #ignored()}.
 *
 * @param trials local_lloyd_num_trials: Lloyd runs from different seeds, of which the one with the
 *     least mean square distance is kept
 * @param evalMetrics what to report on the test channel: msd, ssd
 */
record KMeansHyperparameters(int k, int featureDim, int maxIterations, Initialisation initialisation, int trials,
        List<String> evalMetrics, List<String> ignored) {

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();
    private static final List<String> METRICS = List.of("msd", "ssd");
    /** The streaming phase's settings, and local_lloyd_tol: Tribuo iterates until no record changes cluster. */
    private static final List<String> NOT_APPLIED = List.of("epochs", "init_method", "mini_batch_size", "extra_center_factor",
            "half_life_time_size", "local_lloyd_tol");

    static {
        RULES.put("k", integer(Interval.atLeast(1)));
        RULES.put("feature_dim", integer(Interval.atLeast(1)));
        RULES.put("epochs", integer(Interval.atLeast(1)));
        RULES.put("init_method", oneOf(List.of("random", "kmeans++")));
        RULES.put("mini_batch_size", integer(Interval.atLeast(1)));
        RULES.put("extra_center_factor", orAuto(integer(Interval.atLeast(1))));
        RULES.put("half_life_time_size", integer(Interval.atLeast(0)));
        RULES.put("local_lloyd_max_iter", integer(Interval.atLeast(1)));
        RULES.put("local_lloyd_tol", number(Interval.closed(0, 1)));
        RULES.put("local_lloyd_init_method", oneOf(List.of("random", "kmeans++")));
        RULES.put("local_lloyd_num_trials", orAuto(integer(Interval.atLeast(1))));
        RULES.put("eval_metrics", (context, name) -> evalMetrics(context.hyperparameters().get(name)));
        // The SageMaker Python SDK always sends it; CSV records are dense anyway.
        RULES.put("force_dense", bool());
        RULES.put("_tuning_objective_metric", any());
    }

    /** Checks the job's hyperparameters: required ones first, then unknown names, then each value. */
    static KMeansHyperparameters validate(TrainingContext context) throws AlgorithmError {
        context.requiredHyperparameter("k");
        context.requiredHyperparameter("feature_dim");
        HyperparameterRules.check(context, RULES);
        List<String> ignored = new ArrayList<>();
        for (String name : context.hyperparameters().keySet()) {
            if (NOT_APPLIED.contains(name)) {
                ignored.add(name);
            }
        }
        return new KMeansHyperparameters(context.intHyperparameter("k", 0), context.intHyperparameter("feature_dim", 0),
                context.intHyperparameter("local_lloyd_max_iter", 300),
                context.hyperparameter("local_lloyd_init_method", "kmeans++").trim().equals("random")
                        ? Initialisation.RANDOM : Initialisation.PLUSPLUS,
                integerOrAuto(context, "local_lloyd_num_trials", 1),
                context.hyperparameters().containsKey("eval_metrics")
                        ? evalMetrics(context.hyperparameters().get("eval_metrics")) : List.of("msd"),
                List.copyOf(ignored));
    }

    /** A JSON list, as the SageMaker Python SDK sends it ({@code ["msd", "ssd"]}), or names separated by commas. */
    private static List<String> evalMetrics(String value) throws AlgorithmError {
        List<String> metrics = new ArrayList<>();
        for (String metric : value.replaceAll("[\\[\\]\"']", "").split(",")) {
            if (!METRICS.contains(metric.trim())) {
                throw AlgorithmError.clientError("Hyperparameter eval_metrics: " + metric.trim() + " is not in " + METRICS);
            }
            metrics.add(metric.trim());
        }
        return List.copyOf(metrics);
    }
}
