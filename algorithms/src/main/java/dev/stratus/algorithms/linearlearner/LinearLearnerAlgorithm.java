package dev.stratus.algorithms.linearlearner;

import dev.stratus.algorithms.TrainingMain;

/**
 * The program behind Stratus's image of SageMaker's built-in Linear Learner ({@code linear-learner:<tag>}):
 * started as {@code <command> train}, as SageMaker starts containers.
 */
public final class LinearLearnerAlgorithm {

    private LinearLearnerAlgorithm() {
    }

    public static void main(String[] args) {
        TrainingMain.run(new LinearLearnerTrainer(), args);
    }
}
