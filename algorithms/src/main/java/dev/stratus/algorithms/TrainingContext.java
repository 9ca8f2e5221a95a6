package dev.stratus.algorithms;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What SageMaker gives a training container: the files under the base directory ({@code /opt/ml}, or
 * {@code SAGEMAKER_BASE_DIR} where Stratus runs each instance in a folder of its own) and the
 * environment. The config files are read once, when the context is made.
 */
public final class TrainingContext {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTAINER_BASE = "/opt/ml";

    private final Path baseDir;
    private final Map<String, String> environment;
    private final Map<String, String> hyperparameters;
    private final Map<String, Map<String, String>> channels;
    private final String currentHost;
    private final List<String> hosts;
    private final Path checkpointDir;

    private TrainingContext(Path baseDir, Map<String, String> environment) {
        this.baseDir = baseDir;
        this.environment = Map.copyOf(environment);
        Path config = baseDir.resolve("input/config");
        this.hyperparameters = Collections.unmodifiableMap(strings(readObject(config.resolve("hyperparameters.json"))));
        Map<String, Map<String, String>> channelConfigs = new LinkedHashMap<>();
        readObject(config.resolve("inputdataconfig.json")).fields().forEachRemaining(
                channel -> channelConfigs.put(channel.getKey(), Collections.unmodifiableMap(strings(channel.getValue()))));
        this.channels = Collections.unmodifiableMap(channelConfigs);
        // A container without resourceconfig.json (a test, a hand-made folder) is a one-instance job.
        JsonNode resources = readObject(config.resolve("resourceconfig.json"));
        this.currentHost = resources.path("current_host").asText("algo-1");
        List<String> hostList = new ArrayList<>();
        resources.path("hosts").forEach(host -> hostList.add(host.asText()));
        this.hosts = hostList.isEmpty() ? List.of(currentHost) : List.copyOf(hostList);
        JsonNode checkpoints = readObject(config.resolve("checkpointconfig.json"));
        this.checkpointDir = checkpointDir(checkpoints.path("LocalPath").asText(CONTAINER_BASE + "/checkpoints"));
    }

    /** A copy with other hyperparameters. */
    private TrainingContext(TrainingContext context, Map<String, String> hyperparameters) {
        this.baseDir = context.baseDir;
        this.environment = context.environment;
        this.hyperparameters = hyperparameters;
        this.channels = context.channels;
        this.currentHost = context.currentHost;
        this.hosts = context.hosts;
        this.checkpointDir = context.checkpointDir;
    }

    /** The context of the running container: {@code SAGEMAKER_BASE_DIR} (default {@code /opt/ml}) and the process's environment. */
    public static TrainingContext fromEnvironment() {
        return of(baseDir(System.getenv()), System.getenv());
    }

    /** The context of a container laid out under {@code baseDir} with the given environment; for tests and tools. */
    public static TrainingContext of(Path baseDir, Map<String, String> environment) {
        return new TrainingContext(baseDir, environment);
    }

    static Path baseDir(Map<String, String> environment) {
        return Path.of(environment.getOrDefault("SAGEMAKER_BASE_DIR", CONTAINER_BASE));
    }

    public Path baseDir() {
        return baseDir;
    }

    /** The process's environment: the platform's variables ({@code TRAINING_JOB_NAME}...) and the job's {@code Environment}. */
    public Map<String, String> environment() {
        return environment;
    }

    /** {@code input/config/hyperparameters.json}: the job's hyperparameters, names and values as the user wrote them. */
    public Map<String, String> hyperparameters() {
        return hyperparameters;
    }

    /** The job's channel names, from {@code input/config/inputdataconfig.json}. */
    public Set<String> channels() {
        return channels.keySet();
    }

    /** The folder that holds a channel's files in File mode: {@code input/data/<name>}. */
    public Path channel(String name) {
        return baseDir.resolve("input/data").resolve(name);
    }

    /** A channel's entry in {@code inputdataconfig.json} ({@code ContentType}, {@code TrainingInputMode}, {@code S3DistributionType}...); empty for an unknown channel. */
    public Map<String, String> channelConfig(String channel) {
        return channels.getOrDefault(channel, Map.of());
    }

    public Optional<String> contentType(String channel) {
        return Optional.ofNullable(channelConfig(channel).get("ContentType"));
    }

    /** This instance's name ({@code algo-1}, {@code algo-2}...), from {@code resourceconfig.json}. */
    public String currentHost() {
        return currentHost;
    }

    /** Every instance of the job, sorted; one entry for a one-instance job. */
    public List<String> hosts() {
        return hosts;
    }

    /** Everything written here becomes the job's {@code model.tar.gz}. */
    public Path modelDir() {
        return baseDir.resolve("model");
    }

    /** Everything written here becomes the job's {@code output.tar.gz}. */
    public Path outputDataDir() {
        return baseDir.resolve("output/data");
    }

    /** {@code CheckpointConfig.LocalPath}: synced to {@code CheckpointConfig.S3Uri} and restored from it when a job starts. */
    public Path checkpointDir() {
        return checkpointDir;
    }

    /**
     * This context as SageMaker's training toolkit hands it to a script: without the hyperparameters whose names start
     * with {@code sagemaker_} ({@code sagemaker_program}, {@code sagemaker_submit_directory}...), which tell the
     * platform where the code is, not the algorithm how to train.
     */
    public TrainingContext withoutSageMakerHyperparameters() {
        Map<String, String> algorithm = new LinkedHashMap<>(hyperparameters);
        algorithm.keySet().removeIf(name -> name.startsWith("sagemaker_"));
        return new TrainingContext(this, Collections.unmodifiableMap(algorithm));
    }

    /** The value of a hyperparameter, or {@code defaultValue} when the job does not set it. */
    public String hyperparameter(String name, String defaultValue) {
        return hyperparameters.getOrDefault(name, defaultValue);
    }

    public String requiredHyperparameter(String name) throws AlgorithmError {
        String value = hyperparameters.get(name);
        if (value == null) {
            throw AlgorithmError.clientError("Missing required hyperparameter: " + name);
        }
        return value;
    }

    public int intHyperparameter(String name, int defaultValue) throws AlgorithmError {
        String value = hyperparameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw AlgorithmError.clientError("Hyperparameter " + name + ": '" + value + "' is not an integer");
        }
    }

    public double doubleHyperparameter(String name, double defaultValue) throws AlgorithmError {
        String value = hyperparameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            double number = Double.parseDouble(value.trim());
            if (Double.isFinite(number)) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Reported below, with the values that parse but are not finite.
        }
        throw AlgorithmError.clientError("Hyperparameter " + name + ": '" + value + "' is not a number");
    }

    public boolean booleanHyperparameter(String name, boolean defaultValue) throws AlgorithmError {
        String value = hyperparameters.get(name);
        if (value == null) {
            return defaultValue;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw AlgorithmError.clientError("Hyperparameter " + name + ": '" + value + "' is not true or false");
        };
    }

    /**
     * SageMaker's paths are container paths under {@code /opt/ml}; with another base directory every
     * container path lives under it, as the local cloud lays an instance's folder out.
     */
    private Path checkpointDir(String localPath) {
        if (localPath.startsWith(CONTAINER_BASE + "/")) {
            return baseDir.resolve(localPath.substring(CONTAINER_BASE.length() + 1));
        }
        return baseDir.equals(Path.of(CONTAINER_BASE)) ? Path.of(localPath) : baseDir.resolve(localPath.replaceFirst("^/+", ""));
    }

    /** A missing config file reads as an empty object: SageMaker omits the optional ones. */
    private static JsonNode readObject(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (!node.isObject()) {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** SageMaker writes every value as a string; a hand-written number reads the same, a nested value as its JSON. */
    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new LinkedHashMap<>();
        object.fields().forEachRemaining(field -> values.put(field.getKey(),
                field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString()));
        return values;
    }
}
