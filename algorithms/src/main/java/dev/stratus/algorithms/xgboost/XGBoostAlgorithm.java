package dev.stratus.algorithms.xgboost;

import dev.stratus.algorithms.ContainerMain;

/**
 * The program behind Stratus's image of SageMaker's built-in XGBoost ({@code sagemaker-xgboost:<tag>}):
 * started as {@code <command> train} or {@code <command> serve}, as SageMaker starts containers. Run it
 * with {@code OMP_WAIT_POLICY=passive} in its environment: XGBoost's OpenMP threads otherwise spin
 * between tasks, which made training about 8x slower on two shared cores.
 */
public final class XGBoostAlgorithm {

    private XGBoostAlgorithm() {
    }

    public static void main(String[] args) {
        ContainerMain.run(new XGBoostTrainer(), new XGBoostInference(), args);
    }
}
