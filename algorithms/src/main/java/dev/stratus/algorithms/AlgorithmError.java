package dev.stratus.algorithms;

/**
 * A failure to tell the user: {@link TrainingMain} writes its message, as is, to {@code output/failure},
 * whose first 1024 characters become the job's {@code FailureReason}. Keep the message to one line that
 * names what to fix (the hyperparameter, the file and line).
 */
public final class AlgorithmError extends Exception {

    public AlgorithmError(String message) {
        super(message);
    }

    public AlgorithmError(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A failure caused by the job's input (hyperparameters, channels, data), worded as SageMaker's
     * algorithms word them: {@code ClientError: <detail>}.
     */
    public static AlgorithmError clientError(String detail) {
        return new AlgorithmError("ClientError: " + detail);
    }
}
