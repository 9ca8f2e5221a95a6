package dev.stratus.cloud.transform;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.endpoints.ContainerClient;
import dev.stratus.cloud.endpoints.Endpoints;
import dev.stratus.cloud.endpoints.Instance;
import dev.stratus.cloud.endpoints.ModelArchive;
import dev.stratus.cloud.endpoints.Models;
import dev.stratus.cloud.sagemaker.Requests;
import dev.stratus.cloud.sagemaker.Resources;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.state.Database;

/**
 * SageMaker's batch transform: CreateTransformJob, DescribeTransformJob, ListTransformJobs, StopTransformJob. Jobs
 * really run (see {@link TransformRun}): InProgress, then Completed or Failed with a FailureReason; Stopping, then
 * Stopped. The model is resolved when the job is created, as SageMaker does, so deleting it later changes nothing.
 *
 * <p>A job does not outlive the server that runs it: its instances stop with the server, and the next server records
 * it as Failed, saying so (a job that was Stopping is Stopped). Objects it had transformed whole are in S3 by then.
 */
public final class TransformJobs implements AutoCloseable {

    static final Resources.Kind KIND = new Resources.Kind("sagemaker_transform_jobs", "transform job", "transform-job",
            "TransformJobName", "TransformJobArn", "TransformJobStatus", "TransformJobSummaries",
            List.of("TransformJobName", "TransformJobArn", "CreationTime", "TransformEndTime", "LastModifiedTime",
                    "TransformJobStatus", "FailureReason"));
    static final String RESTARTED = "InternalServerError: the local cloud stopped while the job was running, and its"
            + " instances with it; the objects it had transformed whole are under S3OutputPath, the others are not:"
            + " create the job again";
    private static final Logger LOG = Logger.getLogger(TransformJobs.class.getName());

    private final Resources jobs;
    private final Models models;
    private final Endpoints.Environment env;
    private final ContainerClient containers = new ContainerClient();
    private final Map<String, TransformRun> running = new ConcurrentHashMap<>();
    private final ScheduledExecutorService monitor;

    public TransformJobs(Database db, Models models, Endpoints.Environment env) {
        this.jobs = new Resources(db, KIND, env.region());
        this.models = models;
        this.env = env;
        this.monitor = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "transform-job-monitor");
            thread.setDaemon(true);
            return thread;
        });
        monitor.scheduleWithFixedDelay(this::monitor, 1, 1, TimeUnit.SECONDS);
    }

    /** The operations, by name, for the SageMaker service. */
    public Map<String, JsonRpc.Operation> operations() {
        Map<String, JsonRpc.Operation> operations = new LinkedHashMap<>();
        operations.put("CreateTransformJob", this::create);
        operations.put("DescribeTransformJob", r -> jobs.describe(Requests.required(r, "TransformJobName", "transformJobName").asText()));
        operations.put("ListTransformJobs", jobs::list);
        operations.put("StopTransformJob", this::stop);
        return operations;
    }

    public int count(String status) {
        return (int) jobs.names().stream().filter(name -> jobs.find(name)
                .map(j -> j.path("TransformJobStatus").asText().equals(status)).orElse(false)).count();
    }

    /**
     * After a restart: instance processes a dead server left are ended, and the jobs that were running are Failed,
     * saying why (Stopped when they were being stopped).
     */
    public void resumeAfterRestart() {
        try {
            Instance.endLeftovers(env.home().transformJobs());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not look for transform instances left by the previous server", e);
        }
        double now = Resources.now();
        for (String name : jobs.names()) {
            jobs.update(name, job -> {
                switch (job.path("TransformJobStatus").asText()) {
                    case "InProgress" -> {
                        job.put("TransformJobStatus", "Failed");
                        job.put("FailureReason", RESTARTED);
                        job.put("TransformEndTime", now);
                    }
                    case "Stopping" -> {
                        job.put("TransformJobStatus", "Stopped");
                        job.put("TransformEndTime", now);
                    }
                    default -> { } // ended already
                }
            });
        }
        try {
            ModelArchive.delete(env.home().transformJobs());
        } catch (IOException e) {
            LOG.warning("could not clear the folders of transform jobs: " + e);
        }
    }

    private JsonNode create(JsonNode request) {
        TransformJobRequest.check(request);
        String name = request.path("TransformJobName").asText();
        String modelName = request.path("ModelName").asText();
        ObjectNode container;
        try {
            container = models.container(modelName);
        } catch (AwsException e) {
            throw AwsException.validation(e.getMessage() + " Create it with CreateModel first, or fix ModelName.");
        }
        ObjectNode description = request.deepCopy();
        description.remove("Tags");
        description.put("TransformJobStatus", "InProgress");
        ObjectNode state = JsonRpc.JSON.createObjectNode();
        ObjectNode resolved = state.putObject("Container").put("Image", container.path("Image").asText());
        if (container.hasNonNull("ModelDataUrl")) {
            resolved.put("ModelDataUrl", container.path("ModelDataUrl").asText());
        }
        resolved.set("Environment", container.path("Environment").isObject() ? container.get("Environment")
                : JsonRpc.JSON.createObjectNode());
        if (!jobs.insert(description, state)) {
            throw AwsException.resourceInUse("Transform job names must be unique within an AWS account and region, and a"
                    + " transform job with this name already exists (" + jobs.arn(name) + ")");
        }
        TransformRun run = new TransformRun(name, jobs, env, containers, () -> running.remove(name));
        running.put(name, run);
        run.start();
        return JsonRpc.JSON.createObjectNode().put("TransformJobArn", jobs.arn(name));
    }

    private JsonNode stop(JsonNode request) {
        String name = Requests.required(request, "TransformJobName", "transformJobName").asText();
        jobs.update(name, job -> {
            String status = job.path("TransformJobStatus").asText();
            if (!status.equals("InProgress") && !status.equals("Stopping")) {
                throw AwsException.validation("The request was rejected because the transform job is in status " + status + ".");
            }
            job.put("TransformJobStatus", "Stopping");
        }).orElseThrow(() -> jobs.notFound(name));
        TransformRun run = running.get(name);
        if (run != null) {
            run.stop();
        }
        return JsonRpc.JSON.createObjectNode();
    }

    private void monitor() {
        for (TransformRun run : running.values()) {
            try {
                run.monitor();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "transform job monitoring", e);
            }
        }
    }

    /** Stops every running job's instances; the next server records those jobs as Failed (see {@link #resumeAfterRestart}). */
    @Override
    public void close() {
        monitor.shutdownNow();
        running.values().parallelStream().forEach(TransformRun::close);
        containers.close();
    }
}
