package dev.stratus.algorithms.builtin;

import java.math.BigDecimal;

/**
 * One value of a metric as SageMaker's own algorithms (Linear Learner, K-Means...) log it, the line
 * their metric regexes read: {@code #quality_metric: host=algo-1, epoch=3, validation mse_objective <loss>=0.31}.
 *
 * @param channel the data it was measured on: {@code train}, {@code validation}, {@code test}
 * @param name SageMaker's name for the metric, such as {@code binary_classification_accuracy}
 * @param loss true for a loss (lower is better, logged as {@code <loss>}), false for a score ({@code <score>})
 */
public record QualityMetric(String channel, String name, boolean loss, double value) {

    public static QualityMetric loss(String channel, String name, double value) {
        return new QualityMetric(channel, name, true, value);
    }

    public static QualityMetric score(String channel, String name, double value) {
        return new QualityMetric(channel, name, false, value);
    }

    /** The line after training: {@code #quality_metric: host=algo-1, validation mse <loss>=0.31}. */
    public String line(String host) {
        return "#quality_metric: host=" + host + ", " + measurement();
    }

    /** The line of one epoch: {@code #quality_metric: host=algo-1, epoch=3, train mse_objective <loss>=0.31}. */
    public String line(String host, int epoch) {
        return "#quality_metric: host=" + host + ", epoch=" + epoch + ", " + measurement();
    }

    /**
     * The value in plain decimals, as Python prints SageMaker's: never in exponent form, which
     * regexes such as {@code ([0-9\.]+)} would cut short.
     */
    private String measurement() {
        String number = Double.isFinite(value) ? BigDecimal.valueOf(value).toPlainString() : Double.toString(value);
        return channel + " " + name + (loss ? " <loss>=" : " <score>=") + number;
    }
}
