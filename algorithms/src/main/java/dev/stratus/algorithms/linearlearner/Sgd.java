package dev.stratus.algorithms.linearlearner;

import java.util.SplittableRandom;

import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.DenseMatrix;
import org.tribuo.math.la.DenseVector;
import org.tribuo.math.la.SGDVector;
import org.tribuo.math.la.Tensor;

/**
 * Mini-batch stochastic gradient descent on Tribuo's linear parameters, objectives and optimisers,
 * one epoch at a time. Tribuo's own trainers run every epoch in one call, which leaves no place to
 * log each epoch, watch the validation channel and stop early, as SageMaker's Linear Learner does;
 * they also have no L1 or L2 penalty. A step follows the mean gradient of its batch.
 */
final class Sgd<U> {

    private final LinearParameters parameters;
    private final SGDObjective<U> objective;
    private final StochasticGradientOptimiser optimiser;
    private final int batchSize;
    private final double l1;
    private final double wd;
    private final SplittableRandom random;

    Sgd(LinearParameters parameters, SGDObjective<U> objective, StochasticGradientOptimiser optimiser, int batchSize,
            double l1, double wd, long seed) {
        this.parameters = parameters;
        this.objective = objective;
        this.optimiser = optimiser.copy();
        this.optimiser.initialise(parameters);
        this.batchSize = batchSize;
        this.l1 = l1;
        this.wd = wd;
        this.random = new SplittableRandom(seed);
    }

    /** One pass over the examples, in a new random order. */
    void epoch(DenseVector[] features, U[] targets) {
        int[] order = shuffled(features.length);
        DenseMatrix weights = parameters.getWeightMatrix();
        for (int start = 0; start < order.length; start += batchSize) {
            int end = Math.min(start + batchSize, order.length);
            DenseMatrix gradient = new DenseMatrix(weights.getDimension1Size(), weights.getDimension2Size());
            for (int i = start; i < end; i++) {
                SGDVector scores = parameters.predict(features[order[i]]);
                gradient.intersectAndAddInPlace(parameters.gradients(objective.lossAndGradient(targets[order[i]], scores),
                        features[order[i]])[0]);
            }
            gradient.scaleInPlace(1.0 / (end - start));
            penalize(gradient, parameters.getWeightMatrix());
            parameters.update(optimiser.step(new Tensor[] {gradient}, 1.0));
        }
    }

    LinearParameters parameters() {
        return parameters;
    }

    /**
     * Adds the L1 and L2 penalties to a gradient, which Tribuo's objectives give in the direction of
     * ascent; the bias, in the last column, is not penalized (SageMaker's default bias_wd_mult).
     */
    private void penalize(DenseMatrix gradient, DenseMatrix weights) {
        if (l1 == 0 && wd == 0) {
            return;
        }
        for (int o = 0; o < weights.getDimension1Size(); o++) {
            for (int j = 0; j < weights.getDimension2Size() - 1; j++) {
                double w = weights.get(o, j);
                gradient.add(o, j, -wd * w - l1 * Math.signum(w));
            }
        }
    }

    private int[] shuffled(int size) {
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
