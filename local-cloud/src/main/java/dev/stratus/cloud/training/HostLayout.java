package dev.stratus.cloud.training;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.server.JsonRpc;

/**
 * One instance's base directory, laid out exactly like a SageMaker container's {@code /opt/ml}
 * (the algorithm finds it through {@code SAGEMAKER_BASE_DIR}), and the environment the
 * platform and SageMaker's framework containers give the algorithm.
 */
record HostLayout(Path base, String host, List<String> hosts) {

    Path configDir() {
        return base.resolve("input/config");
    }

    Path channel(String name) {
        return base.resolve("input/data").resolve(name);
    }

    Path model() {
        return base.resolve("model");
    }

    Path outputData() {
        return base.resolve("output/data");
    }

    Path failure() {
        return base.resolve("output/failure");
    }

    /** {@code CheckpointConfig.LocalPath} (default /opt/ml/checkpoints), inside this base directory. */
    Path checkpoints(JsonNode job) {
        String local = job.path("CheckpointConfig").path("LocalPath").asText("/opt/ml/checkpoints");
        String relative = local.startsWith("/opt/ml/") ? local.substring("/opt/ml/".length()) : local.replaceFirst("^/+", "");
        Path path = base.resolve(relative).normalize();
        if (!path.startsWith(base)) {
            throw new IllegalArgumentException("CheckpointConfig.LocalPath " + local + " leaves the container's folders");
        }
        return path;
    }

    /** Creates the folders and writes the config files SageMaker writes. */
    void write(JsonNode job) throws IOException {
        for (Path dir : List.of(configDir(), base.resolve("input/data"), model(), outputData(), base.resolve("code"))) {
            Files.createDirectories(dir);
        }
        JsonRpc.JSON.writeValue(configDir().resolve("hyperparameters.json").toFile(), hyperparameters(job));
        JsonRpc.JSON.writeValue(configDir().resolve("inputdataconfig.json").toFile(), inputDataConfig(job));
        JsonRpc.JSON.writeValue(configDir().resolve("resourceconfig.json").toFile(), resourceConfig());
        if (job.has("CheckpointConfig")) {
            Files.createDirectories(checkpoints(job));
            ObjectNode checkpoint = JsonRpc.JSON.createObjectNode()
                    .put("LocalPath", job.path("CheckpointConfig").path("LocalPath").asText("/opt/ml/checkpoints"))
                    .put("S3Uri", job.path("CheckpointConfig").path("S3Uri").asText());
            JsonRpc.JSON.writeValue(configDir().resolve("checkpointconfig.json").toFile(), checkpoint);
        }
        for (JsonNode channel : job.path("InputDataConfig")) {
            Files.createDirectories(channel(channel.path("ChannelName").asText()));
        }
    }

    /** The variables of the platform ({@code TRAINING_JOB_NAME}...) and of framework containers ({@code SM_*}). */
    Map<String, String> environment(JsonNode job) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SAGEMAKER_BASE_DIR", base.toString());
        env.put("TRAINING_JOB_NAME", job.path("TrainingJobName").asText());
        env.put("TRAINING_JOB_ARN", job.path("TrainingJobArn").asText());
        // SageMaker's training toolkit keeps the platform's sagemaker_* hyperparameters (where a script is, which
        // one runs) out of what it tells the algorithm; hyperparameters.json still holds them all.
        ObjectNode hyperparameters = hyperparameters(job);
        hyperparameters.remove(hyperparameters.properties().stream().map(Map.Entry::getKey)
                .filter(name -> name.startsWith("sagemaker_")).toList());
        List<String> channels = new ArrayList<>();
        job.path("InputDataConfig").forEach(c -> channels.add(c.path("ChannelName").asText()));
        env.put("SM_HOSTS", JsonRpc.JSON.writeValueAsString(hosts));
        env.put("SM_CURRENT_HOST", host);
        env.put("SM_CURRENT_INSTANCE_TYPE", job.path("ResourceConfig").path("InstanceType").asText());
        env.put("SM_HPS", JsonRpc.JSON.writeValueAsString(hyperparameters));
        hyperparameters.fields().forEachRemaining(hp -> env.put("SM_HP_" + variable(hp.getKey()), hp.getValue().asText()));
        // A script's command line and where it came from, as the training toolkit of SageMaker's framework images says.
        List<String> userArgs = new ArrayList<>();
        hyperparameters.properties().stream().sorted(Map.Entry.comparingByKey()).forEach(hp -> {
            userArgs.add("--" + hp.getKey());
            userArgs.add(unquoted(hp.getValue().asText()));
        });
        env.put("SM_USER_ARGS", JsonRpc.JSON.writeValueAsString(userArgs));
        String program = unquoted(job.path("HyperParameters").path("sagemaker_program").asText(""));
        env.put("SM_USER_ENTRY_POINT", program);
        env.put("SM_MODULE_NAME", program.endsWith(".py") ? program.substring(0, program.length() - 3) : program);
        env.put("SM_MODULE_DIR", unquoted(job.path("HyperParameters").path("sagemaker_submit_directory").asText("")));
        env.put("SM_CHANNELS", JsonRpc.JSON.writeValueAsString(channels));
        channels.forEach(c -> env.put("SM_CHANNEL_" + variable(c), channel(c).toString()));
        env.put("SM_MODEL_DIR", model().toString());
        env.put("SM_OUTPUT_DIR", base.resolve("output").toString());
        env.put("SM_OUTPUT_DATA_DIR", outputData().toString());
        env.put("SM_INPUT_DIR", base.resolve("input").toString());
        env.put("SM_INPUT_CONFIG_DIR", configDir().toString());
        env.put("SM_INPUT_DATA_CONFIG", JsonRpc.JSON.writeValueAsString(inputDataConfig(job)));
        env.put("SM_RESOURCE_CONFIG", JsonRpc.JSON.writeValueAsString(resourceConfig()));
        env.put("SM_NUM_CPUS", Integer.toString(Runtime.getRuntime().availableProcessors()));
        env.put("SM_NUM_GPUS", "0");
        env.put("SM_LOG_LEVEL", "20");
        ObjectNode training = JsonRpc.JSON.createObjectNode()
                .put("job_name", job.path("TrainingJobName").asText())
                .put("current_host", host)
                .put("model_dir", model().toString())
                .put("output_data_dir", outputData().toString())
                .put("num_cpus", Runtime.getRuntime().availableProcessors())
                .put("num_gpus", 0);
        training.set("hosts", JsonRpc.JSON.valueToTree(hosts));
        training.set("hyperparameters", hyperparameters);
        training.set("channel_input_dirs", JsonRpc.JSON.valueToTree(channels.stream()
                .collect(java.util.stream.Collectors.toMap(c -> c, c -> channel(c).toString()))));
        env.put("SM_TRAINING_ENV", JsonRpc.JSON.writeValueAsString(training));
        job.path("Environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        return env;
    }

    /** A hyperparameter as the toolkit reads it: the Python SDK sends strings JSON-quoted ({@code "\"train.py\""}). */
    private static String unquoted(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            try {
                return JsonRpc.JSON.readValue(value, String.class);
            } catch (IOException notJson) {
                return value;
            }
        }
        return value;
    }

    private static ObjectNode hyperparameters(JsonNode job) {
        ObjectNode hyperparameters = JsonRpc.JSON.createObjectNode();
        job.path("HyperParameters").fields().forEachRemaining(hp -> hyperparameters.put(hp.getKey(), hp.getValue().asText()));
        return hyperparameters;
    }

    private static ObjectNode inputDataConfig(JsonNode job) {
        ObjectNode config = JsonRpc.JSON.createObjectNode();
        for (JsonNode channel : job.path("InputDataConfig")) {
            ObjectNode entry = config.putObject(channel.path("ChannelName").asText());
            if (channel.has("ContentType")) {
                entry.put("ContentType", channel.path("ContentType").asText());
            }
            entry.put("TrainingInputMode", channel.path("InputMode")
                    .asText(job.path("AlgorithmSpecification").path("TrainingInputMode").asText("File")));
            entry.put("S3DistributionType", channel.path("DataSource").path("S3DataSource")
                    .path("S3DataDistributionType").asText("FullyReplicated"));
            entry.put("RecordWrapperType", channel.path("RecordWrapperType").asText("None"));
        }
        return config;
    }

    private ObjectNode resourceConfig() {
        ObjectNode config = JsonRpc.JSON.createObjectNode().put("current_host", host);
        ArrayNode list = config.putArray("hosts");
        hosts.forEach(list::add);
        // Every local instance shares the loopback interface.
        config.put("network_interface_name", "lo");
        return config;
    }

    private static String variable(String name) {
        return name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
    }
}
