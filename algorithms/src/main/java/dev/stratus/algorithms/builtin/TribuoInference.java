package dev.stratus.algorithms.builtin;

import java.util.List;

import dev.stratus.algorithms.serving.Predictions;
import dev.stratus.algorithms.serving.RecordHandler;
import dev.stratus.algorithms.serving.Records.Format;

/**
 * What the serving sides of Linear Learner and K-Means share, as SageMaker's own: they read
 * {@code text/csv}, {@code application/json} and {@code application/jsonlines}, answer JSON unless asked
 * for JSON Lines or CSV, and need every feature of every record.
 */
public abstract class TribuoInference extends RecordHandler {

    protected TribuoInference() {
        super(List.of(Format.CSV, Format.JSON, Format.JSON_LINES), List.of(Predictions.JSON, Predictions.JSON_LINES, Predictions.CSV));
    }

    @Override
    protected final boolean missingValuesAllowed() {
        return false;
    }
}
