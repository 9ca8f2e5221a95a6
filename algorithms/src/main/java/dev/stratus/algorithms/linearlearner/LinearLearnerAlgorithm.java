package dev.stratus.algorithms.linearlearner;

import dev.stratus.algorithms.ContainerMain;

/**
 * The program behind Stratus's image of SageMaker's built-in Linear Learner ({@code linear-learner:<tag>}):
 * started as {@code <command> train} or {@code <command> serve}, as SageMaker starts containers.
 */
public final class LinearLearnerAlgorithm {

    private LinearLearnerAlgorithm() {
    }

    public static void main(String[] args) {
        ContainerMain.run(new LinearLearnerTrainer(), new LinearLearnerInference(), args);
    }
}
