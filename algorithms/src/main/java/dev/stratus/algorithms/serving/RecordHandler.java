package dev.stratus.algorithms.serving;

import java.util.List;
import java.util.Map;

/**
 * An {@link InferenceHandler} for models that take rows of numbers: it checks the request's types,
 * reads every record ({@link Records}), predicts them in one batch and writes the predictions
 * ({@link Predictions}). The built-in algorithms' handlers are made this way; so can a user's.
 */
public abstract class RecordHandler implements InferenceHandler {

    private final List<Records.Format> formats;
    private final List<String> answers;

    /**
     * @param formats the request formats read
     * @param answers the types answered with, the default first (when the request has no {@code Accept})
     */
    protected RecordHandler(List<Records.Format> formats, List<String> answers) {
        this.formats = List.copyOf(formats);
        this.answers = List.copyOf(answers);
    }

    /** How many features a record has: the model's width, known once it is loaded. */
    protected abstract int features();

    /** Whether a record may leave values out (NaN): XGBoost handles them, linear models do not. */
    protected abstract boolean missingValuesAllowed();

    /** The predictions of {@code rows} records laid out row after row in {@code cells}, one map per record, in order. */
    protected abstract List<Map<String, Object>> predict(float[] cells, int rows) throws Exception;

    @Override
    public final InferenceResponse invoke(InferenceRequest request) throws Exception {
        Records.Format format = Records.format(request.contentType(), formats);
        String answer = Predictions.negotiate(request.accept(), answers);
        float[] cells = Records.parse(request.body(), format, features(), missingValuesAllowed());
        return Predictions.encode(predict(cells, cells.length / features()), answer);
    }
}
