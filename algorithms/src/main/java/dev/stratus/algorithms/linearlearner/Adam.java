package dev.stratus.algorithms.linearlearner;

import com.oracle.labs.mlrg.olcut.config.Config;
import com.oracle.labs.mlrg.olcut.provenance.ConfiguredObjectProvenance;
import com.oracle.labs.mlrg.olcut.provenance.impl.ConfiguredObjectProvenanceImpl;
import org.tribuo.math.Parameters;
import org.tribuo.math.StochasticGradientOptimiser;
import org.tribuo.math.la.Tensor;

/**
 * Adam (Kingma and Ba, 2015), SageMaker Linear Learner's default optimizer. Tribuo 4.3.2, the latest
 * release, ships an Adam that multiplies by the root of the second moment instead of dividing by it
 * (fixed upstream by oracle/tribuo#401, not released): it barely moves the weights.
 */
final class Adam implements StochasticGradientOptimiser {

    @Config(mandatory = true, description = "Learning rate.")
    private double learningRate;

    @Config(description = "Decay of the first moment.")
    private double betaOne;

    @Config(description = "Decay of the second moment.")
    private double betaTwo;

    @Config(description = "Added to the root of the second moment, against division by zero.")
    private double epsilon;

    private Tensor[] firstMoment;
    private Tensor[] secondMoment;
    private int iterations;

    Adam(double learningRate, double betaOne, double betaTwo, double epsilon) {
        this.learningRate = learningRate;
        this.betaOne = betaOne;
        this.betaTwo = betaTwo;
        this.epsilon = epsilon;
    }

    @Override
    public void initialise(Parameters parameters) {
        firstMoment = parameters.getEmptyCopy();
        secondMoment = parameters.getEmptyCopy();
        iterations = 0;
    }

    /** Turns the gradients in {@code updates} into the step to add, in place. */
    @Override
    public Tensor[] step(Tensor[] updates, double weight) {
        iterations++;
        // The bias corrections of both moments, folded into the step size.
        double rate = learningRate * Math.sqrt(1 - Math.pow(betaTwo, iterations)) / (1 - Math.pow(betaOne, iterations));
        for (int i = 0; i < updates.length; i++) {
            firstMoment[i].scaleInPlace(betaOne);
            firstMoment[i].intersectAndAddInPlace(updates[i], g -> g * (1 - betaOne));
            secondMoment[i].scaleInPlace(betaTwo);
            secondMoment[i].intersectAndAddInPlace(updates[i], g -> g * g * (1 - betaTwo));
            updates[i].scaleInPlace(0);
            updates[i].intersectAndAddInPlace(firstMoment[i], m -> m * rate * weight);
            updates[i].hadamardProductInPlace(secondMoment[i], v -> 1 / (Math.sqrt(v) + epsilon));
        }
        return updates;
    }

    @Override
    public void reset() {
        firstMoment = null;
        secondMoment = null;
        iterations = 0;
    }

    @Override
    public Adam copy() {
        return new Adam(learningRate, betaOne, betaTwo, epsilon);
    }

    @Override
    public ConfiguredObjectProvenance getProvenance() {
        return new ConfiguredObjectProvenanceImpl(this, "StochasticGradientOptimiser");
    }

    @Override
    public String toString() {
        return "Adam(learningRate=" + learningRate + ",betaOne=" + betaOne + ",betaTwo=" + betaTwo + ",epsilon=" + epsilon + ")";
    }
}
