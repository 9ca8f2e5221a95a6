package dev.stratus.algorithms.scriptmode;

import java.nio.file.Path;
import java.util.Map;

import dev.stratus.algorithms.serving.InferenceHandler;
import dev.stratus.algorithms.serving.InferenceRequest;
import dev.stratus.algorithms.serving.InferenceResponse;

/**
 * Serves with the user's class: the model's {@code SAGEMAKER_PROGRAM}, from its {@code SAGEMAKER_SUBMIT_DIRECTORY},
 * the Environment variables the SageMaker Python SDK gives a framework model.
 */
final class ScriptModeHandler implements InferenceHandler {

    private final Map<String, String> environment;
    private volatile InferenceHandler handler;

    ScriptModeHandler(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public void load(Path modelDir) throws Exception {
        // The model folder is <base>/model in every container (/opt/ml/model on SageMaker).
        InferenceHandler user = UserCode.forServing(environment).load(InferenceHandler.class, modelDir.getParent());
        UserCode.inItsClassLoader(user, () -> {
            user.load(modelDir);
            return null;
        });
        handler = user;
    }

    @Override
    public InferenceResponse invoke(InferenceRequest request) throws Exception {
        InferenceHandler user = handler;
        return UserCode.inItsClassLoader(user, () -> user.invoke(request));
    }
}
