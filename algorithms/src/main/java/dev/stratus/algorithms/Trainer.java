package dev.stratus.algorithms;

/**
 * A training program that follows SageMaker's container contract. Implement it, and start it from
 * {@code main} with {@link TrainingMain#run(Trainer, String[])}: the platform runs the program once per
 * instance as {@code <command> train}.
 */
@FunctionalInterface
public interface Trainer {

    /**
     * Trains on the job's channels and writes the model into {@link TrainingContext#modelDir()}.
     *
     * @throws AlgorithmError when the job cannot succeed with its input; its message becomes the job's
     *     {@code FailureReason}
     * @throws Exception for anything unexpected, which fails the job as an algorithm error
     */
    void train(TrainingContext context) throws Exception;
}
