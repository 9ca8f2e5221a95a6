package dev.stratus.algorithms.kmeans;

import dev.stratus.algorithms.ContainerMain;

/**
 * The program behind Stratus's image of SageMaker's built-in K-Means ({@code kmeans:<tag>}): started
 * as {@code <command> train} or {@code <command> serve}, as SageMaker starts containers.
 */
public final class KMeansAlgorithm {

    private KMeansAlgorithm() {
    }

    public static void main(String[] args) {
        ContainerMain.run(new KMeansTrainer(), new KMeansInference(), args);
    }
}
