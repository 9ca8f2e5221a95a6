package dev.stratus.algorithms.xgboost;

import static dev.stratus.algorithms.builtin.HyperparameterRules.integer;
import static dev.stratus.algorithms.builtin.HyperparameterRules.number;
import static dev.stratus.algorithms.builtin.HyperparameterRules.oneOf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;
import dev.stratus.algorithms.builtin.HyperparameterRules;
import dev.stratus.algorithms.builtin.HyperparameterRules.Interval;
import dev.stratus.algorithms.builtin.HyperparameterRules.Rule;

/**
 * SageMaker XGBoost's hyperparameters: the names, types and ranges its container accepts
 * (sagemaker-xgboost-container's algorithm_mode/hyperparameter_validation.py), checked in the same
 * order and reported in the same words, so a job fails here as it would on SageMaker.
 */
final class XGBoostHyperparameters {

    private static final Map<String, Rule> RULES = new LinkedHashMap<>();

    /*
     * Ranking and survival:aft objectives are left out: they need query groups or label bounds,
     * which CSV and LIBSVM channels cannot carry here.
     */
    private static final List<String> OBJECTIVES = List.of("reg:squarederror", "reg:linear", "reg:logistic", "reg:gamma",
            "reg:tweedie", "reg:pseudohubererror", "reg:squaredlogerror", "binary:logistic", "binary:logitraw", "binary:hinge",
            "multi:softmax", "multi:softprob", "count:poisson", "survival:cox");
    /** XGBoost's own metrics; {@code error}, {@code ndcg} and {@code map} also take {@code @<threshold>}. */
    private static final Set<String> METRICS = Set.of("rmse", "rmsle", "mae", "mape", "mphe", "logloss", "error", "merror",
            "mlogloss", "auc", "aucpr", "ndcg", "map", "poisson-nloglik", "gamma-nloglik", "cox-nloglik", "gamma-deviance",
            "tweedie-nloglik", "aft-nloglik", "interval-regression-accuracy");
    /** Metrics SageMaker's container computes itself rather than through XGBoost. */
    private static final Set<String> CONTAINER_METRICS = Set.of("accuracy", "balanced_accuracy", "f1", "f1_binary", "f1_macro",
            "mse", "precision", "precision_macro", "precision_micro", "r2", "recall", "recall_macro", "recall_micro");
    /** Read by the container itself; everything else goes to XGBoost as a booster parameter. */
    private static final Set<String> CONTAINER_ONLY = Set.of("num_round", "early_stopping_rounds", "csv_weights", "eval_metric",
            "_tuning_objective_metric");

    static {
        RULES.put("num_round", integer(Interval.atLeast(1)));
        RULES.put("csv_weights", integer(Interval.closed(0, 1)));
        RULES.put("early_stopping_rounds", integer(Interval.atLeast(1)));
        RULES.put("booster", oneOf(List.of("gbtree", "gblinear", "dart")));
        RULES.put("verbosity", integer(Interval.closed(0, 3)));
        RULES.put("nthread", integer(Interval.atLeast(1)));
        RULES.put("eta", number(Interval.closed(0, 1)));
        RULES.put("gamma", number(Interval.atLeast(0)));
        RULES.put("max_depth", integer(Interval.atLeast(0)));
        RULES.put("min_child_weight", number(Interval.atLeast(0)));
        RULES.put("max_delta_step", number(Interval.atLeast(0)));
        RULES.put("subsample", number(Interval.aboveUpTo(0, 1)));
        RULES.put("colsample_bytree", number(Interval.aboveUpTo(0, 1)));
        RULES.put("colsample_bylevel", number(Interval.aboveUpTo(0, 1)));
        RULES.put("colsample_bynode", number(Interval.aboveUpTo(0, 1)));
        RULES.put("lambda", number(Interval.atLeast(0)));
        RULES.put("alpha", number(Interval.atLeast(0)));
        RULES.put("tree_method", oneOf(List.of("auto", "exact", "approx", "hist")));
        RULES.put("scale_pos_weight", number(Interval.above(0)));
        RULES.put("grow_policy", oneOf(List.of("depthwise", "lossguide")));
        RULES.put("max_leaves", integer(Interval.atLeast(0)));
        RULES.put("max_bin", integer(Interval.atLeast(0)));
        RULES.put("sampling_method", oneOf(List.of("uniform", "gradient_based")));
        RULES.put("tweedie_variance_power", number(Interval.open(1, 2)));
        RULES.put("objective", oneOf(OBJECTIVES));
        RULES.put("num_class", integer(Interval.atLeast(2)));
        RULES.put("base_score", number(Interval.atLeast(0)));
        RULES.put("eval_metric", (context, name) -> metrics(name, context.hyperparameters().get(name)));
        RULES.put("_tuning_objective_metric", (context, name) -> tuningMetric(context.hyperparameters().get(name)));
        RULES.put("seed", (context, name) -> context.intHyperparameter(name, 0));
        RULES.put("num_parallel_tree", integer(Interval.atLeast(1)));
        // XGBoost's other names for the same parameters, which SageMaker accepts too.
        RULES.put("learning_rate", RULES.get("eta"));
        RULES.put("min_split_loss", RULES.get("gamma"));
        RULES.put("reg_lambda", RULES.get("lambda"));
        RULES.put("reg_alpha", RULES.get("alpha"));
    }

    private final int numRound;
    private final int earlyStoppingRounds;
    private final boolean csvWeights;
    private final List<String> evalMetrics;
    private final Map<String, Object> boosterParams;

    private XGBoostHyperparameters(int numRound, int earlyStoppingRounds, boolean csvWeights, List<String> evalMetrics,
            Map<String, Object> boosterParams) {
        this.numRound = numRound;
        this.earlyStoppingRounds = earlyStoppingRounds;
        this.csvWeights = csvWeights;
        this.evalMetrics = evalMetrics;
        this.boosterParams = boosterParams;
    }

    /** Checks the job's hyperparameters: required ones first, then unknown names, then each value, then combinations. */
    static XGBoostHyperparameters validate(TrainingContext context) throws AlgorithmError {
        Map<String, String> given = context.hyperparameters();
        context.requiredHyperparameter("num_round");
        HyperparameterRules.check(context, RULES);
        String objective = given.getOrDefault("objective", "reg:squarederror").trim();
        boolean multiClass = objective.startsWith("multi:");
        if (multiClass && !given.containsKey("num_class")) {
            throw AlgorithmError.clientError("Missing required hyperparameter: num_class (objective " + objective + " needs it)");
        }
        if (!multiClass && given.containsKey("num_class")) {
            throw AlgorithmError.clientError("Hyperparameter num_class: only used with objective multi:softmax or multi:softprob, not "
                    + objective);
        }

        Map<String, Object> boosterParams = new LinkedHashMap<>();
        given.forEach((name, value) -> {
            if (!CONTAINER_ONLY.contains(name)) {
                boosterParams.put(name, value.trim());
            }
        });
        // reg:linear is SageMaker's older name; XGBoost 2 only warns that it is deprecated.
        if (objective.equals("reg:linear")) {
            boosterParams.put("objective", "reg:squarederror");
        }
        return new XGBoostHyperparameters(context.intHyperparameter("num_round", 0),
                context.intHyperparameter("early_stopping_rounds", 0), context.intHyperparameter("csv_weights", 0) == 1,
                evalMetrics(given), boosterParams);
    }

    int numRound() {
        return numRound;
    }

    /** 0 when early stopping is off. */
    int earlyStoppingRounds() {
        return earlyStoppingRounds;
    }

    /** Whether the train channel's CSV carries an instance weight in its second column. */
    boolean csvWeights() {
        return csvWeights;
    }

    /** The metrics to evaluate each round, in order; empty for the objective's default metric. */
    List<String> evalMetrics() {
        return evalMetrics;
    }

    /** The parameters for XGBoost itself: every hyperparameter but those the container reads. */
    Map<String, Object> boosterParams() {
        return boosterParams;
    }

    /**
     * {@code eval_metric}, joined with the metric an automatic model tuning job optimizes
     * ({@code _tuning_objective_metric}, e.g. {@code validation:auc}) sorted as the container sorts
     * them, because the last metric is the one early stopping watches.
     */
    private static List<String> evalMetrics(Map<String, String> given) {
        List<String> metrics = new ArrayList<>();
        if (given.containsKey("eval_metric")) {
            for (String metric : given.get("eval_metric").split(",")) {
                metrics.add(metric.trim());
            }
        }
        String tuning = given.get("_tuning_objective_metric");
        if (tuning == null) {
            return List.copyOf(metrics);
        }
        TreeSet<String> union = new TreeSet<>(metrics);
        union.add(tuning.substring(tuning.indexOf(':') + 1).trim());
        return List.copyOf(union);
    }

    private static void metrics(String name, String value) throws AlgorithmError {
        for (String metric : value.split(",")) {
            metric(name, metric.trim());
        }
    }

    private static void metric(String name, String metric) throws AlgorithmError {
        int at = metric.indexOf('@');
        String base = at < 0 ? metric : metric.substring(0, at);
        if (CONTAINER_METRICS.contains(base)) {
            throw AlgorithmError.clientError("Hyperparameter " + name + ": metric '" + metric
                    + "' is not supported locally yet; XGBoost's own metrics are " + new TreeSet<>(METRICS));
        }
        if (!METRICS.contains(base)) {
            throw AlgorithmError.clientError("Hyperparameter " + name + ": '" + metric + "' is not one of " + new TreeSet<>(METRICS));
        }
        if (at >= 0) {
            if (!List.of("error", "ndcg", "map").contains(base)) {
                throw AlgorithmError.clientError("Hyperparameter " + name + ": metric '" + metric
                        + "' takes no threshold; only error, ndcg and map take '@<threshold>'");
            }
            try {
                Double.parseDouble(metric.substring(at + 1));
            } catch (NumberFormatException e) {
                throw AlgorithmError.clientError("Hyperparameter " + name + ": threshold in '" + metric + "' is not a number");
            }
        }
    }

    /** {@code <channel>:<metric>}, as SageMaker's tuner writes it. */
    private static void tuningMetric(String value) throws AlgorithmError {
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw AlgorithmError.clientError("Hyperparameter _tuning_objective_metric: '" + value + "' is not <channel>:<metric>");
        }
        metric("_tuning_objective_metric", value.substring(colon + 1).trim());
    }
}
