package dev.stratus.algorithms.linearlearner;

import java.util.List;
import java.util.Map;

import dev.stratus.algorithms.AlgorithmError;
import dev.stratus.algorithms.builtin.ChannelData;
import dev.stratus.algorithms.builtin.QualityMetric;
import org.tribuo.Model;
import org.tribuo.common.sgd.SGDObjective;
import org.tribuo.math.LinearParameters;
import org.tribuo.math.la.DenseVector;

/**
 * What SageMaker's predictor types differ in: the training target made of a label, the objective,
 * the metrics and the Tribuo model. {@code U} is the target as Tribuo's objective takes it.
 */
interface Task<U> {

    /** Each record's training target; fails on the first label the predictor type cannot take, naming its file and line. */
    U[] targets(ChannelData data) throws AlgorithmError;

    SGDObjective<U> objective();

    /** SageMaker's name for the objective in metric lines, such as {@code mse_objective}. */
    String objectiveName();

    /** The mean objective (loss) of the model's scores, in the label's own units. */
    double objective(DenseVector[] scores, U[] targets);

    /** SageMaker's metrics of the predictor type after training, the objective first. */
    List<QualityMetric> metrics(String channel, DenseVector[] scores, U[] targets);

    /** The Tribuo model with {@code weights} (on raw features); the train channel gives its feature domain and provenance. */
    Model<?> model(ChannelData train, LinearParameters weights) throws AlgorithmError;

    /** What a model server needs besides the model to answer as SageMaker's Linear Learner does. */
    Map<String, Object> metadata();
}
