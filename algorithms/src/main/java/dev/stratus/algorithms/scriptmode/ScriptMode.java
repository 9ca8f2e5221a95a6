package dev.stratus.algorithms.scriptmode;

import dev.stratus.algorithms.ContainerMain;

/**
 * The program of the Stratus Java image ({@code stratus/java:17}): SageMaker's script mode for Java. A training job
 * names the user's jars with the hyperparameter {@code sagemaker_submit_directory} (the {@code s3://} URI of a
 * {@code .tar.gz}) and the class with {@code sagemaker_program}; the class implements
 * {@link dev.stratus.algorithms.Trainer}. A model names them with the Environment variables
 * {@code SAGEMAKER_SUBMIT_DIRECTORY} and {@code SAGEMAKER_PROGRAM}; the class implements
 * {@link dev.stratus.algorithms.serving.InferenceHandler}. One class may implement both.
 */
public final class ScriptMode {

    private ScriptMode() {
    }

    public static void main(String[] args) {
        ContainerMain.run(new ScriptModeTrainer(), new ScriptModeHandler(System.getenv()), args);
    }
}
