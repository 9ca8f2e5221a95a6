package dev.stratus.algorithms.builtin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.stratus.algorithms.AlgorithmError;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.OutputFactory;
import org.tribuo.impl.ArrayExample;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/**
 * What the built-in algorithms played by Tribuo (Linear Learner, K-Means) share: Tribuo examples made
 * from a CSV channel, and the files of the model directory, which a model server reads back.
 */
public final class TribuoModels {

    /** The Tribuo model, as {@code Model.serializeToFile} writes it; {@code Model.deserializeFromFile} reads it. */
    public static final String MODEL_FILE = "model.tribuo";
    /** What a model server needs besides the model to answer as SageMaker's algorithm does (predictor type, feature_dim, labels...). */
    public static final String METADATA_FILE = "model.json";

    /**
     * Tribuo logs every k-means iteration at INFO, two lines each on stderr, which would bury the
     * job's own log lines; its warnings still show. Held here: java.util.logging keeps loggers only
     * weakly, and a collected one forgets its level.
     */
    private static final Logger TRIBUO_LOGGER = Logger.getLogger("org.tribuo");

    static {
        TRIBUO_LOGGER.setLevel(Level.WARNING);
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private TribuoModels() {
    }

    /** A record's output, made from its row of the channel; it may refuse the row's label. */
    @FunctionalInterface
    public interface Outputs<T> {
        T of(int row) throws AlgorithmError;
    }

    /**
     * The names of {@code features} features, one per CSV column, zero-padded ({@code f07}): Tribuo
     * numbers features in name order, so that its feature i is column i. A model server names the
     * columns of a request the same way.
     */
    public static String[] featureNames(int features) {
        int digits = Integer.toString(Math.max(features - 1, 0)).length();
        String[] names = new String[features];
        for (int j = 0; j < features; j++) {
            names[j] = "f" + "0".repeat(digits - Integer.toString(j).length()) + j;
        }
        return names;
    }

    /** The channel's CSV records as a Tribuo dataset, each with the output {@code outputs} gives for its row. */
    public static <T extends Output<T>> MutableDataset<T> dataset(ChannelData data, String channel, OutputFactory<T> factory,
            Outputs<T> outputs) throws AlgorithmError {
        MutableDataset<T> dataset = new MutableDataset<>(new SimpleDataSourceProvenance(channel + " channel", factory), factory);
        String[] names = featureNames(data.features());
        for (int row = 0; row < data.rows(); row++) {
            dataset.add(example(outputs.of(row), names, data.dense(), row));
        }
        return dataset;
    }

    /** Rows of a request, row after row in {@code cells}, as examples to predict; {@code unknown} is the factory's unknown output. */
    public static <T extends Output<T>> List<Example<T>> examples(T unknown, float[] cells, int rows, int features) {
        String[] names = featureNames(features);
        List<Example<T>> examples = new ArrayList<>(rows);
        for (int row = 0; row < rows; row++) {
            examples.add(example(unknown, names, cells, row));
        }
        return examples;
    }

    private static <T extends Output<T>> Example<T> example(T output, String[] names, float[] cells, int row) {
        double[] values = new double[names.length];
        for (int j = 0; j < values.length; j++) {
            values[j] = cells[row * values.length + j];
        }
        return new ArrayExample<>(output, names, values);
    }

    /** The model a training job of this image saved, checked to predict {@code outputs}. */
    public static <T extends Output<T>> Model<T> load(Path modelDir, Class<T> outputs) throws IOException {
        Path file = modelDir.resolve(MODEL_FILE);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file + ": the model.tar.gz holds no " + MODEL_FILE
                    + "; use the model of a training job of this image");
        }
        Model<?> model = Model.deserializeFromFile(file);
        if (!model.validate(outputs)) {
            throw new IOException(file + " predicts " + model.getOutputIDInfo().getDomain().getClass().getSimpleName()
                    + ", not " + outputs.getSimpleName() + ": use the model of a training job of this image");
        }
        @SuppressWarnings("unchecked")
        Model<T> checked = (Model<T>) model;
        return checked;
    }

    /** The description {@link #save} wrote beside the model. */
    public static JsonNode metadata(Path modelDir) throws IOException {
        return JSON.readTree(modelDir.resolve(METADATA_FILE).toFile());
    }

    /** Writes the model and, beside it, its metadata as JSON. */
    public static void save(Model<?> model, Map<String, Object> metadata, Path modelDir) throws IOException {
        Files.createDirectories(modelDir);
        model.serializeToFile(modelDir.resolve(MODEL_FILE));
        JSON.writerWithDefaultPrettyPrinter().writeValue(modelDir.resolve(METADATA_FILE).toFile(), metadata);
    }
}
