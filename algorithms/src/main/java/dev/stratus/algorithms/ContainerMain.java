package dev.stratus.algorithms;

import java.util.Map;
import java.util.concurrent.CountDownLatch;

import dev.stratus.algorithms.serving.InferenceHandler;
import dev.stratus.algorithms.serving.ModelServer;
import dev.stratus.algorithms.serving.ServingSettings;

/**
 * The {@code main} of an algorithm that trains and serves: SageMaker starts the same image as
 * {@code <command> train} for a training job and as {@code <command> serve} for an endpoint or a batch
 * transform.
 */
public final class ContainerMain {

    private ContainerMain() {
    }

    /** Trains with {@code trainer} or serves with {@code handler}, as the first argument says. */
    public static void run(Trainer trainer, InferenceHandler handler, String[] args) {
        Map<String, String> environment = System.getenv();
        String mode = args.length == 0 ? "" : args[0];
        switch (mode) {
            case "train" -> System.exit(TrainingMain.execute(trainer, args, TrainingContext.baseDir(environment), environment));
            case "serve" -> serve(handler, environment);
            default -> {
                System.err.println("usage: <program> train|serve (SageMaker starts the image as '<image> train' for a training"
                        + " job, '<image> serve' for an endpoint); got: " + String.join(" ", args));
                System.exit(TrainingMain.ALGORITHM_ERROR);
            }
        }
    }

    /**
     * Loads the model and serves it until the process is stopped (SIGTERM); exits 1 when it cannot start. An
     * {@link AlgorithmError} is printed as its one line alone, so that it is the last output the platform reports.
     */
    public static void serve(InferenceHandler handler, Map<String, String> environment) {
        ModelServer server;
        try {
            ServingSettings settings = ServingSettings.fromEnvironment(environment);
            server = ModelServer.start(handler, settings);
            System.out.println("Model server listening on " + settings.address().getHostAddress() + ":" + server.port() + " with " + settings.workers()
                    + " workers, model from " + settings.modelDir());
        } catch (AlgorithmError e) {
            System.out.println("The model server could not start: " + e.getMessage());
            System.exit(1);
            return;
        } catch (Exception | Error e) {
            System.out.println("The model server could not start: " + e.getMessage());
            e.printStackTrace(System.out);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "model-server-stop"));
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
