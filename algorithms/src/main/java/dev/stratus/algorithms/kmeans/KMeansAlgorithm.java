package dev.stratus.algorithms.kmeans;

import dev.stratus.algorithms.TrainingMain;

/**
 * The program behind Stratus's image of SageMaker's built-in K-Means ({@code kmeans:<tag>}): started
 * as {@code <command> train}, as SageMaker starts containers.
 */
public final class KMeansAlgorithm {

    private KMeansAlgorithm() {
    }

    public static void main(String[] args) {
        TrainingMain.run(new KMeansTrainer(), args);
    }
}
