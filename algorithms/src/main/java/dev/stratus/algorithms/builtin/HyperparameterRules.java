package dev.stratus.algorithms.builtin;

import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.TrainingContext;

/**
 * The checks of a hyperparameter table: each name an algorithm accepts, with a rule for its value.
 * A job fails, as on SageMaker, on the first name the table lacks ({@code Extraneous hyperparameter
 * found}) or the first value its rule refuses, with a one-line reason naming the hyperparameter.
 */
public final class HyperparameterRules {

    /** Checks the value of one hyperparameter that the job sets. */
    @FunctionalInterface
    public interface Rule {
        void check(TrainingContext context, String name) throws AlgorithmError;
    }

    private HyperparameterRules() {
    }

    /** Unknown names first, then each value the job sets, in the job's order. */
    public static void check(TrainingContext context, Map<String, Rule> rules) throws AlgorithmError {
        for (String name : context.hyperparameters().keySet()) {
            if (!rules.containsKey(name)) {
                throw AlgorithmError.clientError("Extraneous hyperparameter found: " + name);
            }
        }
        for (String name : context.hyperparameters().keySet()) {
            rules.get(name).check(context, name);
        }
    }

    /** True when the job leaves the hyperparameter out or sets it to {@code auto}: the algorithm chooses. */
    public static boolean isAuto(TrainingContext context, String name) {
        return context.hyperparameter(name, "auto").trim().equals("auto");
    }

    /** The value of a number that may be {@code auto}, or {@code auto} when the job leaves it to the algorithm. */
    public static double numberOrAuto(TrainingContext context, String name, double auto) throws AlgorithmError {
        return isAuto(context, name) ? auto : context.doubleHyperparameter(name, auto);
    }

    public static int integerOrAuto(TrainingContext context, String name, int auto) throws AlgorithmError {
        return isAuto(context, name) ? auto : context.intHyperparameter(name, auto);
    }

    public static boolean boolOrAuto(TrainingContext context, String name, boolean auto) throws AlgorithmError {
        return isAuto(context, name) ? auto : context.booleanHyperparameter(name, auto);
    }

    public static Rule integer(Interval range) {
        return (context, name) -> range.check(name, context.hyperparameters().get(name), context.intHyperparameter(name, 0));
    }

    public static Rule number(Interval range) {
        return (context, name) -> range.check(name, context.hyperparameters().get(name), context.doubleHyperparameter(name, 0));
    }

    /** Any finite number. */
    public static Rule number() {
        return (context, name) -> context.doubleHyperparameter(name, 0);
    }

    public static Rule bool() {
        return (context, name) -> context.booleanHyperparameter(name, false);
    }

    public static Rule oneOf(List<String> values) {
        return (context, name) -> {
            String value = context.hyperparameters().get(name).trim();
            if (!values.contains(value)) {
                throw AlgorithmError.clientError("Hyperparameter " + name + ": " + value + " is not in " + values);
            }
        };
    }

    /** Any value: one the algorithm only passes on, such as the tuner's {@code _tuning_objective_metric}. */
    public static Rule any() {
        return (context, name) -> {
        };
    }

    /** {@code auto}, or a value that {@code rule} accepts. */
    public static Rule orAuto(Rule rule) {
        return orWords(rule, "auto");
    }

    /** One of {@code words}, or a value that {@code rule} accepts; the reason then names the words too. */
    public static Rule orWords(Rule rule, String... words) {
        return (context, name) -> {
            if (List.of(words).contains(context.hyperparameters().get(name).trim())) {
                return;
            }
            try {
                rule.check(context, name);
            } catch (AlgorithmError e) {
                throw new AlgorithmError(e.getMessage() + " or " + String.join(" or ", words));
            }
        };
    }

    /** A range of numbers, printed as SageMaker's containers print it: {@code [0, 1]}, {@code (0, +inf)}. */
    public record Interval(double min, boolean minOpen, double max, boolean maxOpen) {

        public static Interval atLeast(double min) {
            return new Interval(min, false, Double.POSITIVE_INFINITY, true);
        }

        public static Interval above(double min) {
            return new Interval(min, true, Double.POSITIVE_INFINITY, true);
        }

        public static Interval closed(double min, double max) {
            return new Interval(min, false, max, false);
        }

        public static Interval open(double min, double max) {
            return new Interval(min, true, max, true);
        }

        public static Interval aboveUpTo(double min, double max) {
            return new Interval(min, true, max, false);
        }

        public static Interval atLeastBelow(double min, double max) {
            return new Interval(min, false, max, true);
        }

        void check(String name, String given, double value) throws AlgorithmError {
            boolean aboveMin = minOpen ? value > min : value >= min;
            boolean belowMax = maxOpen ? value < max : value <= max;
            if (!aboveMin || !belowMax) {
                throw AlgorithmError.clientError("Hyperparameter " + name + ": " + given.trim() + " is not in " + this);
            }
        }

        @Override
        public String toString() {
            return (minOpen ? "(" : "[") + bound(min) + ", " + bound(max) + (maxOpen ? ")" : "]");
        }

        private static String bound(double value) {
            if (Double.isInfinite(value)) {
                return "+inf";
            }
            return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
        }
    }
}
