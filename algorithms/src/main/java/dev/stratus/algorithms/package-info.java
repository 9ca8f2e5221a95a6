/**
 * SageMaker's training container contract for Java programs. A program implements {@link
 * dev.stratus.algorithms.Trainer}, reads its job through {@link dev.stratus.algorithms.TrainingContext}
 * and starts from {@code main}:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     TrainingMain.run(context -> {
 *         int epochs = context.intHyperparameter("epochs", 10);
 *         Path train = context.channel("train");
 *         ... fit, then write the model into context.modelDir()
 *     }, args);
 * }
 * }</pre>
 *
 * <p>An {@link dev.stratus.algorithms.AlgorithmError} fails the job with its message as the
 * {@code FailureReason}; printed lines go to the job's CloudWatch log stream. The same program runs
 * in Stratus's local cloud and, in a container image, on SageMaker.
 */
package dev.stratus.algorithms;
