package dev.stratus.algorithms.serving;

import java.nio.file.Path;

/**
 * The inference side of an algorithm: what SageMaker's model server runs when the container is started
 * as {@code <command> serve}. {@link #load} runs once, before {@code GET /ping} answers 200;
 * {@link #invoke} then answers each {@code POST /invocations}, from several threads at once.
 */
public interface InferenceHandler {

    /**
     * Reads the model from {@code modelDir} ({@code /opt/ml/model}: the training job's {@code model.tar.gz},
     * unpacked). An exception here keeps the endpoint from becoming healthy, with its message in the logs.
     */
    void load(Path modelDir) throws Exception;

    /**
     * Answers one request, which may hold many records: predict them in one batch.
     *
     * @throws InferenceError for a request the handler refuses (415, 406, 400 with the record number)
     * @throws Exception for a failure of the model itself, which the client sees as a 500 with its message
     */
    InferenceResponse invoke(InferenceRequest request) throws Exception;
}
