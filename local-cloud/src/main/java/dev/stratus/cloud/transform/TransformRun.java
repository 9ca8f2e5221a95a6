package dev.stratus.cloud.transform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.domain.Blob;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.endpoints.ContainerClient;
import dev.stratus.cloud.endpoints.EndpointFailure;
import dev.stratus.cloud.endpoints.Endpoints;
import dev.stratus.cloud.endpoints.Instance;
import dev.stratus.cloud.endpoints.ModelArchive;
import dev.stratus.cloud.logs.LogEvent;
import dev.stratus.cloud.s3.S3Uri;
import dev.stratus.cloud.sagemaker.Resources;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.training.ContainerEnvironment;
import dev.stratus.cloud.transform.InputObjects.InputObject;

/**
 * One transform job, run for real on its own thread: the model's image started as {@code serve} on each instance (an
 * {@link Instance}, as an endpoint's), with SageMaker's batch variables; the settings completed from
 * {@code /execution-parameters}; the input objects shared among the instances ({@link InstanceWorker}); then the
 * instances stopped. It ends Completed, Failed with the reason, or Stopped. Container output goes to CloudWatch Logs
 * ({@code /aws/sagemaker/TransformJobs}, stream {@code <job>/<instance id>}, and what the platform saw in
 * {@code <job>/<instance id>/data-log}); each instance's CPU, memory and disk use to CloudWatch.
 */
final class TransformRun {

    static final String LOG_GROUP = "/aws/sagemaker/TransformJobs";
    private static final Logger LOG = Logger.getLogger(TransformRun.class.getName());
    /** SageMaker's default for ModelClientConfig.InvocationsTimeoutInSeconds. */
    private static final int DEFAULT_INVOCATION_TIMEOUT_SECONDS = 600;
    /** SageMaker's default for ModelClientConfig.InvocationsMaxRetries. */
    private static final int DEFAULT_MAX_RETRIES = 3;

    private final String name;
    private final Resources jobs;
    private final Endpoints.Environment env;
    private final ContainerClient containers;
    private final Runnable onDone;
    private final Path folder;
    private final Thread thread;
    private final List<Instance> instances = new CopyOnWriteArrayList<>();
    private final Map<Instance, InstanceMetrics> metrics = new ConcurrentHashMap<>();
    private final Queue<InputObject> objects = new ConcurrentLinkedQueue<>();
    /** No more work starts: the job failed, is being stopped, or the server is going away. */
    private volatile boolean ending;
    private volatile boolean stopRequested;
    private volatile boolean closing;
    private volatile ObjectNode job;
    private volatile DataProcessing processing;
    private volatile S3Uri output;
    /** A thread per instance, running its {@link InstanceWorker}. */
    private volatile ExecutorService workers;

    TransformRun(String name, Resources jobs, Endpoints.Environment env, ContainerClient containers, Runnable onDone) {
        this.name = name;
        this.jobs = jobs;
        this.env = env;
        this.containers = containers;
        this.onDone = onDone;
        this.folder = env.home().transformJobs().resolve(name);
        this.thread = new Thread(this::run, "transform-job-" + name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** StopTransformJob: the instances stop; objects not transformed whole by then leave no output. */
    void stop() {
        stopRequested = true;
        ending = true;
        thread.interrupt();
    }

    /** The server is going away: the instances stop now, and the next server fails the job, saying why. */
    void close() {
        closing = true;
        ending = true;
        thread.interrupt();
        stopInstances();
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Ships the instances' output to CloudWatch Logs and their use of the machine to CloudWatch; called every second. */
    void monitor() {
        for (Instance instance : instances) {
            instance.ship(env.logs(), LOG_GROUP);
            InstanceMetrics sampler = metrics.get(instance);
            if (sampler != null) {
                sampler.sample();
            }
        }
    }

    private void run() {
        String failure = null;
        try {
            job = jobs.describe(name);
            processing = new DataProcessing(job);
            output = S3Uri.parse(job.path("TransformOutput").path("S3OutputPath").asText(), "S3OutputPath");
            objects.addAll(InputObjects.list(env.blobs(), job.path("TransformInput").path("DataSource").path("S3DataSource")));
            if (!env.blobs().containerExists(output.bucket())) {
                throw new TransformFailure("ClientError: bucket " + output.bucket() + " of S3OutputPath " + output
                        + " does not exist: create it before transforming");
            }
            launch(jobs.state(name).orElseThrow().path("Container"), job.path("TransformResources").path("InstanceCount").asInt(1));
            BatchSettings settings = BatchSettings.of(job, BatchSettings.leftToContainer(job)
                    ? executionParameters(instances.get(0)) : Optional.empty());
            double started = Resources.now();
            jobs.update(name, description -> {
                description.put("TransformStartTime", started);
                description.put("MaxConcurrentTransforms", settings.maxConcurrentTransforms());
                description.put("MaxPayloadInMB", settings.maxPayloadInMB());
                description.put("BatchStrategy", settings.multiRecord() ? "MultiRecord" : "SingleRecord");
            });
            for (Instance instance : instances) {
                dataLog(instance, "MaxConcurrentTransforms=" + settings.maxConcurrentTransforms() + ", MaxPayloadInMB="
                        + settings.maxPayloadInMB() + ", BatchStrategy=" + settings.strategy());
            }
            work(settings);
        } catch (InterruptedException e) {
            // Stopped, or the server is going away: said below.
        } catch (TransformFailure e) {
            failure = e.getMessage();
        } catch (EndpointFailure e) {
            failure = "ClientError: " + e.getMessage();
        } catch (Exception e) {
            LOG.log(Level.WARNING, "transform job " + name + " failed inside the local cloud", e);
            failure = "InternalServerError: the local cloud could not run the transform job: " + e;
        } finally {
            ending = true;
            Thread.interrupted(); // a stop's interrupt is handled: the instances get their grace period
            stopInstances();
            awaitWorkers();
            if (!closing) {
                settle(failure);
            }
            try {
                ModelArchive.delete(folder);
            } catch (IOException e) {
                LOG.warning("transform job " + name + ": could not remove " + folder + ": " + e);
            }
            onDone.run();
        }
    }

    /** The final status: Stopped when a stop was asked (even if the work was done), else Failed or Completed. */
    private void settle(String failure) {
        double end = Resources.now();
        try {
            jobs.update(name, description -> {
                if (stopRequested || description.path("TransformJobStatus").asText().equals("Stopping")) {
                    description.put("TransformJobStatus", "Stopped");
                } else if (failure != null) {
                    description.put("TransformJobStatus", "Failed");
                    description.put("FailureReason", failure.length() > 1024 ? failure.substring(0, 1024) : failure);
                } else {
                    description.put("TransformJobStatus", "Completed");
                }
                description.put("TransformEndTime", end);
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record the end of transform job " + name, e);
        }
    }

    /** Starts the model server on every instance, the model unpacked into each, and waits until all answer /ping. */
    private void launch(JsonNode container, int count) throws IOException, InterruptedException {
        String image = container.path("Image").asText();
        List<String> command;
        try {
            command = env.images().image(image).command();
        } catch (IllegalArgumentException e) {
            throw new TransformFailure("ClientError: model " + job.path("ModelName").asText() + ": " + e.getMessage());
        }
        Map<String, String> environment = ContainerEnvironment.base(env.endpoint(), env.credentials(), env.region());
        container.path("Environment").fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        environment.putAll(BatchSettings.environment(job));
        // As the SageMaker Python SDK does: the job's Environment last, over the model's.
        job.path("Environment").fields().forEachRemaining(e -> environment.put(e.getKey(), e.getValue().asText()));
        ModelArchive.delete(folder);
        List<Path> models = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Instance instance = new Instance(name, "transform job " + name, "instance-" + i, folder, image, command, environment,
                    dead -> { }); // a worker whose request finds the process gone fails the job, saying how it ended
            Files.createDirectories(instance.model());
            models.add(instance.model());
            instances.add(instance);
        }
        if (container.hasNonNull("ModelDataUrl")) {
            new ModelArchive(env.blobs()).install(S3Uri.parse(container.path("ModelDataUrl").asText(), "ModelDataUrl"),
                    "transform job " + name, folder.resolve("runtime"), models);
        }
        Instant deadline = Instant.now().plus(env.healthTimeout());
        for (Instance instance : instances) {
            if (ending) {
                throw new InterruptedException();
            }
            instance.launch();
            metrics.put(instance, new InstanceMetrics(instance, name, env.metrics(), folder));
        }
        for (Instance instance : instances) {
            instance.awaitHealthy(containers, deadline, env.healthTimeout(), LOG_GROUP);
        }
    }

    /** What the model server answers on GET /execution-parameters, when it answers 200 with JSON. */
    private Optional<JsonNode> executionParameters(Instance instance) {
        try {
            ContainerClient.Answer answer = containers.get(instance.resolve("/execution-parameters"), Instance.PING_TIMEOUT);
            if (answer.status() == 200) {
                return Optional.of(JsonRpc.JSON.readTree(answer.body()));
            }
            dataLog(instance, "GET /execution-parameters answered " + answer.status() + ": the job's settings and"
                    + " SageMaker's defaults apply");
        } catch (IOException e) {
            dataLog(instance, "GET /execution-parameters failed (" + e.getMessage() + "): the job's settings and"
                    + " SageMaker's defaults apply");
        }
        return Optional.empty();
    }

    /** Every instance takes objects from the shared queue until none is left; the first failure ends the job. */
    private void work(BatchSettings settings) throws Exception {
        workers = Executors.newFixedThreadPool(instances.size(), task -> {
            Thread worker = new Thread(task, "transform-job-" + name + "-worker");
            worker.setDaemon(true);
            return worker;
        });
        ExecutorCompletionService<Void> done = new ExecutorCompletionService<>(workers);
        try {
            for (Instance instance : instances) {
                done.submit(() -> {
                    new InstanceWorker(this, instance, settings).work();
                    return null;
                });
            }
            for (int i = 0; i < instances.size(); i++) {
                try {
                    done.take().get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        } finally {
            // Not interrupted: a worker may be writing an object it transformed whole. Once the instances are
            // stopped, the others' requests fail and they return.
            ending = true;
            workers.shutdown();
        }
    }

    /** Waits for the workers to return (their requests fail once the instances are stopped), before the job's folder goes. */
    private void awaitWorkers() {
        ExecutorService running = workers;
        if (running == null) {
            return;
        }
        try {
            if (!running.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warning("transform job " + name + ": its workers did not end within 30 s of its instances");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops every instance together (SIGTERM, SIGKILL after SageMaker's scale-down grace), its last output shipped. */
    private void stopInstances() {
        Duration grace = env.stopGrace().compareTo(Endpoints.SCALE_DOWN_GRACE) < 0 ? env.stopGrace() : Endpoints.SCALE_DOWN_GRACE;
        instances.parallelStream().forEach(instance -> {
            InstanceMetrics sampler = metrics.remove(instance);
            if (sampler != null) {
                sampler.sample();
            }
            instance.stop(grace, env.logs(), LOG_GROUP);
        });
    }

    /** A line in the instance's data log, {@code <job>/<instance id>/data-log}, as SageMaker keeps one. */
    void dataLog(Instance instance, String message) {
        try {
            env.logs().append(LOG_GROUP, name + "/" + instance.id() + "/data-log",
                    List.of(new LogEvent(System.currentTimeMillis(), "[sagemaker logs]: " + message)));
        } catch (RuntimeException e) {
            LOG.fine("transform job " + name + ": data log line lost: " + e);
        }
    }

    /** Writes a complete output object. */
    void upload(Path file, S3Uri destination) throws IOException {
        var builder = env.blobs().blobBuilder(destination.key()).payload(file.toFile()).contentLength(Files.size(file));
        accept().ifPresent(builder::contentType);
        Blob blob = builder.build();
        env.blobs().putBlob(destination.bucket(), blob);
    }

    String name() {
        return name;
    }

    boolean ending() {
        return ending;
    }

    Queue<InputObject> objects() {
        return objects;
    }

    BlobStore blobs() {
        return env.blobs();
    }

    ContainerClient containers() {
        return containers;
    }

    DataProcessing processing() {
        return processing;
    }

    S3Uri output() {
        return output;
    }

    Path scratch() throws IOException {
        return Files.createDirectories(folder.resolve("runtime"));
    }

    Optional<String> contentType() {
        return Optional.ofNullable(job.path("TransformInput").path("ContentType").asText(null));
    }

    Optional<String> accept() {
        return Optional.ofNullable(job.path("TransformOutput").path("Accept").asText(null));
    }

    boolean splitsLines() {
        return job.path("TransformInput").path("SplitType").asText("None").equals("Line");
    }

    boolean gzipped() {
        return job.path("TransformInput").path("CompressionType").asText("None").equals("Gzip");
    }

    boolean assemblesLines() {
        return job.path("TransformOutput").path("AssembleWith").asText("None").equals("Line");
    }

    Duration invocationTimeout() {
        return Duration.ofSeconds(job.path("ModelClientConfig").path("InvocationsTimeoutInSeconds")
                .asInt(DEFAULT_INVOCATION_TIMEOUT_SECONDS));
    }

    int maxRetries() {
        return job.path("ModelClientConfig").path("InvocationsMaxRetries").asInt(DEFAULT_MAX_RETRIES);
    }
}
