package dev.stratus.algorithms.scriptmode;

import dev.stratus.algorithms.Trainer;
import dev.stratus.algorithms.TrainingContext;

/**
 * Trains with the user's class: the job's {@code sagemaker_program}, from its {@code sagemaker_submit_directory}. The
 * user's {@link Trainer} sees the job without those platform hyperparameters, as a script under SageMaker's training
 * toolkit does.
 */
final class ScriptModeTrainer implements Trainer {

    @Override
    public void train(TrainingContext context) throws Exception {
        Trainer trainer = UserCode.forTraining(context.hyperparameters()).load(Trainer.class, context.baseDir());
        UserCode.inItsClassLoader(trainer, () -> {
            trainer.train(context.withoutSageMakerHyperparameters());
            return null;
        });
    }
}
