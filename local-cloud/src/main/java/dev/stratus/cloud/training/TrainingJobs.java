package dev.stratus.cloud.training;

import static dev.stratus.cloud.sagemaker.Requests.constraint;
import static dev.stratus.cloud.sagemaker.Requests.required;
import static dev.stratus.cloud.sagemaker.Requests.s3;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.sagemaker.ListPage;
import dev.stratus.cloud.sagemaker.Requests;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;

/**
 * SageMaker's training-job operations: Create, Describe, List, Stop. Jobs really run (see
 * {@link TrainingRun}); this class checks requests as SageMaker does and keeps their records.
 */
public final class TrainingJobs implements AutoCloseable {

    private static final Set<String> TERMINAL = Set.of("Completed", "Failed", "Stopped");

    private final TrainingJobStore store;
    private final TrainingRun.Factory runs;
    private final String region;
    private final Map<String, TrainingRun> running = new ConcurrentHashMap<>();

    public TrainingJobs(dev.stratus.cloud.state.Database db, TrainingRun.Factory runs, String region) {
        this.store = new TrainingJobStore(db);
        this.runs = runs;
        this.region = region;
    }

    /** The operations, by name, for the SageMaker service. */
    public Map<String, JsonRpc.Operation> operations() {
        Map<String, JsonRpc.Operation> operations = new LinkedHashMap<>();
        operations.put("CreateTrainingJob", this::create);
        operations.put("DescribeTrainingJob", this::describe);
        operations.put("ListTrainingJobs", this::list);
        operations.put("StopTrainingJob", this::stop);
        return operations;
    }

    /** Jobs that were running when the server last stopped: re-attached when their processes live, failed otherwise. */
    public void resumeAfterRestart() {
        for (String name : store.namesWithStatus("InProgress", "Stopping")) {
            TrainingRun run = runs.resume(name, store, () -> running.remove(name));
            running.put(name, run);
        }
    }

    public int count(String status) {
        return store.namesWithStatus(status).size();
    }

    private JsonNode create(JsonNode request) {
        String name = Requests.name(request, "TrainingJobName", "trainingJobName");
        JsonNode algorithm = required(request, "AlgorithmSpecification", "algorithmSpecification");
        if (!algorithm.hasNonNull("TrainingImage")) {
            throw AwsException.validation("AlgorithmSpecification.TrainingImage is required locally: AlgorithmName"
                    + " (marketplace algorithms) cannot run outside AWS");
        }
        String inputMode = required(algorithm, "TrainingInputMode", "algorithmSpecification.trainingInputMode").asText();
        if (!Set.of("File", "FastFile").contains(inputMode)) {
            throw AwsException.validation("TrainingInputMode " + inputMode + " is not supported locally: use File");
        }
        String role = required(request, "RoleArn", "roleArn").asText();
        if (!Requests.ROLE_ARN.matcher(role).matches()) {
            throw constraint(role, "roleArn", "Member must satisfy regular expression pattern: " + Requests.ROLE_ARN.pattern());
        }
        s3(required(required(request, "OutputDataConfig", "outputDataConfig"), "S3OutputPath",
                "outputDataConfig.s3OutputPath").asText(), "outputDataConfig.s3OutputPath");
        JsonNode resources = required(request, "ResourceConfig", "resourceConfig");
        required(resources, "InstanceType", "resourceConfig.instanceType");
        if (required(resources, "InstanceCount", "resourceConfig.instanceCount").asInt() < 1) {
            throw constraint(resources.path("InstanceCount").asText(), "resourceConfig.instanceCount",
                    "Member must have value greater than or equal to 1");
        }
        if (required(required(request, "StoppingCondition", "stoppingCondition"), "MaxRuntimeInSeconds",
                "stoppingCondition.maxRuntimeInSeconds").asLong() < 1) {
            throw constraint(request.path("StoppingCondition").path("MaxRuntimeInSeconds").asText(),
                    "stoppingCondition.maxRuntimeInSeconds", "Member must have value greater than or equal to 1");
        }
        for (JsonNode channel : request.path("InputDataConfig")) {
            String channelName = required(channel, "ChannelName", "inputDataConfig.member.channelName").asText();
            JsonNode source = channel.path("DataSource").path("S3DataSource");
            if (source.isMissingNode()) {
                throw AwsException.validation("channel " + channelName + " needs DataSource.S3DataSource: other data sources"
                        + " are not supported locally");
            }
            if (!source.path("S3DataType").asText("S3Prefix").equals("S3Prefix")) {
                throw AwsException.validation("channel " + channelName + ": S3DataType " + source.path("S3DataType").asText()
                        + " is not supported locally: use S3Prefix");
            }
            s3(required(source, "S3Uri", "inputDataConfig.member.dataSource.s3DataSource.s3Uri").asText(),
                    "inputDataConfig.member.dataSource.s3DataSource.s3Uri");
        }
        if (request.has("CheckpointConfig")) {
            s3(required(request.path("CheckpointConfig"), "S3Uri", "checkpointConfig.s3Uri").asText(), "checkpointConfig.s3Uri");
        }

        ObjectNode description = ((ObjectNode) request.deepCopy());
        double now = TrainingJobStore.now();
        description.put("TrainingJobArn", arn(name));
        description.put("TrainingJobStatus", "InProgress");
        description.put("SecondaryStatus", "Starting");
        description.put("CreationTime", now);
        description.put("LastModifiedTime", now);
        description.putArray("SecondaryStatusTransitions").addObject()
                .put("Status", "Starting").put("StartTime", now).put("StatusMessage", "Preparing the instances for training");
        if (!description.has("HyperParameters")) {
            description.putObject("HyperParameters");
        }
        if (!store.insert(description)) {
            throw AwsException.resourceInUse("Training job names must be unique within an AWS account and region, and a"
                    + " training job with this name already exists (" + arn(name) + ")");
        }
        running.put(name, runs.start(name, store, () -> running.remove(name)));
        return JsonRpc.JSON.createObjectNode().put("TrainingJobArn", arn(name));
    }

    private JsonNode describe(JsonNode request) {
        String name = required(request, "TrainingJobName", "trainingJobName").asText();
        return store.find(name).orElseThrow(() -> AwsException.validation("Requested resource not found: there is no"
                + " training job named " + name));
    }

    private JsonNode list(JsonNode request) {
        return ListPage.of(store.all(), request, "TrainingJobName", "TrainingJobStatus", "TrainingJobSummaries",
                List.of("TrainingJobName", "TrainingJobArn", "CreationTime", "TrainingEndTime", "LastModifiedTime",
                        "TrainingJobStatus", "SecondaryStatus"));
    }

    private JsonNode stop(JsonNode request) {
        String name = required(request, "TrainingJobName", "trainingJobName").asText();
        ObjectNode job = store.find(name).orElseThrow(() -> AwsException.validation("Requested resource not found: there is"
                + " no training job named " + name));
        String status = job.path("TrainingJobStatus").asText();
        if (TERMINAL.contains(status)) {
            throw AwsException.validation("The request was rejected because the training job is in status " + status + ".");
        }
        TrainingRun run = running.get(name);
        if (run != null) {
            run.stop("Stopped by StopTrainingJob");
        }
        return JsonRpc.JSON.createObjectNode();
    }

    private String arn(String name) {
        return "arn:aws:sagemaker:" + region + ":" + CloudHome.ACCOUNT_ID + ":training-job/" + name.toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public void close() {
        running.values().forEach(TrainingRun::detach);
    }
}
