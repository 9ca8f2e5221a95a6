package dev.stratus.algorithms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code main} of a training container: SageMaker starts it as {@code <command> train}, reads the
 * outcome from the exit code and the reason from {@code output/failure}. Everything the trainer prints
 * goes to stdout, which the platform ships to CloudWatch Logs.
 */
public final class TrainingMain {

    /** The job completed. */
    public static final int SUCCESS = 0;
    /** The trainer failed unexpectedly: SageMaker's "AlgorithmError". */
    public static final int UNEXPECTED_FAILURE = 1;
    /** The trainer refused the job with an {@link AlgorithmError}, or the program was not started as {@code train}. */
    public static final int ALGORITHM_ERROR = 2;

    private TrainingMain() {
    }

    /** Runs {@code trainer} in the container this process was started in, and exits with its outcome. */
    public static void run(Trainer trainer, String[] args) {
        Map<String, String> environment = System.getenv();
        System.exit(execute(trainer, args, TrainingContext.baseDir(environment), environment));
    }

    /**
     * What {@link #run} does, without exiting: checks the arguments, runs the trainer on the container
     * under {@code baseDir}, writes {@code output/failure} when it fails, and returns the exit code.
     */
    public static int execute(Trainer trainer, String[] args, Path baseDir, Map<String, String> environment) {
        if (args.length == 0 || !args[0].equals("train")) {
            System.err.println("usage: <program> train (SageMaker starts a training container as '<image> train'); got: "
                    + String.join(" ", args));
            return ALGORITHM_ERROR;
        }
        Path failure = baseDir.resolve("output/failure");
        try {
            trainer.train(TrainingContext.of(baseDir, environment));
            return SUCCESS;
        } catch (AlgorithmError e) {
            System.out.println(e.getMessage());
            writeFailure(failure, e.getMessage());
            return ALGORITHM_ERROR;
        } catch (Exception | Error e) {
            // Errors too: a missing native library or an OutOfMemoryError must still leave a reason.
            e.printStackTrace(System.out);
            writeFailure(failure, "AlgorithmError: " + e);
            return UNEXPECTED_FAILURE;
        }
    }

    private static void writeFailure(Path failure, String reason) {
        try {
            Files.createDirectories(failure.getParent());
            Files.writeString(failure, reason, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The exit code still fails the job; the platform then reports it without a reason.
            System.err.println("cannot write " + failure + ": " + e);
        }
    }
}
