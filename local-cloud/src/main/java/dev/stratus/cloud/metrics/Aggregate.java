package dev.stratus.cloud.metrics;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/** The data points of one period summarised as CloudWatch's statistics. */
final class Aggregate {

    static final List<String> STATISTICS = List.of("SampleCount", "Average", "Sum", "Minimum", "Maximum");

    /** p0 to p100 with at most two decimals: p50, p99, p99.9, p99.99. */
    private static final Pattern PERCENTILE = Pattern.compile("p(100(\\.0{1,2})?|\\d{1,2}(\\.\\d{1,2})?)");

    private double sampleCount;
    private double sum;
    private double minimum = Double.POSITIVE_INFINITY;
    private double maximum = Double.NEGATIVE_INFINITY;
    private final List<MetricStore.Datum> values = new ArrayList<>();
    private boolean allValuesKnown = true;

    static boolean isPercentile(String statistic) {
        return PERCENTILE.matcher(statistic).matches();
    }

    void add(MetricStore.Datum datum) {
        sampleCount += datum.sampleCount();
        sum += datum.sum();
        minimum = Math.min(minimum, datum.minimum());
        maximum = Math.max(maximum, datum.maximum());
        if (datum.isValue()) {
            values.add(datum);
        } else {
            allValuesKnown = false;
        }
    }

    /**
     * One of {@link #STATISTICS} or a percentile; empty for a percentile of a period that has
     * statistic sets, whose single values are unknown (CloudWatch gives no value then either).
     */
    OptionalDouble value(String statistic) {
        return switch (statistic) {
            case "SampleCount" -> OptionalDouble.of(sampleCount);
            case "Average" -> OptionalDouble.of(sum / sampleCount);
            case "Sum" -> OptionalDouble.of(sum);
            case "Minimum" -> OptionalDouble.of(minimum);
            case "Maximum" -> OptionalDouble.of(maximum);
            default -> allValuesKnown ? OptionalDouble.of(percentile(Double.parseDouble(statistic.substring(1))))
                    : OptionalDouble.empty();
        };
    }

    /**
     * The nearest-rank percentile: the smallest value with at least {@code percent} of the samples
     * at or below it. CloudWatch estimates percentiles; this is exact, and always a value that was
     * put. Counts weigh the values, so {@code Values=[1,2], Counts=[1,3]} has p50 = 2.
     */
    private double percentile(double percent) {
        values.sort(Comparator.comparingDouble(MetricStore.Datum::minimum));
        double rank = percent * sampleCount / 100;
        double seen = 0;
        for (MetricStore.Datum value : values) {
            seen += value.sampleCount();
            if (seen >= rank) {
                return value.minimum();
            }
        }
        return maximum; // only reached when rounding leaves the sum of counts a hair below the rank of p100
    }
}
