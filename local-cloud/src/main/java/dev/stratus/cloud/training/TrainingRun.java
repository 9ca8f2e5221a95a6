package dev.stratus.cloud.training;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jclouds.blobstore.BlobStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.logs.LogEvent;
import dev.stratus.cloud.logs.LogsService;
import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.s3.S3Uri;

/**
 * One training job, run for real: an /opt/ml-style folder and an OS process per instance,
 * channel data downloaded from S3, output shipped to CloudWatch Logs, metric lines to
 * CloudWatch, checkpoints kept in S3, and model.tar.gz / output.tar.gz uploaded at the end.
 * The secondary statuses follow SageMaker's: Starting, Downloading, Training, Uploading, then
 * Completed, Failed, Stopped or MaxRuntimeExceeded.
 */
public final class TrainingRun {

    private static final Logger LOG = Logger.getLogger(TrainingRun.class.getName());
    private static final String LOG_GROUP = "/aws/sagemaker/TrainingJobs";
    private static final String METRIC_NAMESPACE = "/aws/sagemaker/TrainingJobs";
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration CHECKPOINT_SYNC = Duration.ofSeconds(2);
    /**
     * Given to every host of a multi-instance job: {@code 127.0.0.1:<port>}, a free port where the first
     * host (algo-1) can listen for the others. It stands in for SageMaker's host networking, where each
     * host has an address of its own, finds the others by name ({@code algo-1}...) and can use any port:
     * local hosts share one loopback, and jobs run side by side.
     */
    private static final String FIRST_HOST_ADDRESS = "STRATUS_FIRST_HOST_ADDRESS";

    /** What every run needs from the local cloud. */
    public record Environment(CloudHome home, AlgorithmImages images, BlobStore blobs, LogsService logs,
                              MetricsService metrics, URI endpoint, CloudHome.Credentials credentials, String region,
                              Duration stopGrace) {
    }

    /** Starts runs, and picks up those a previous server left running. */
    public static final class Factory {
        private final Environment env;

        public Factory(Environment env) {
            this.env = env;
        }

        TrainingRun start(String name, TrainingJobStore store, Runnable onDone) {
            TrainingRun run = new TrainingRun(name, store, env, onDone);
            run.thread(run::runFromStart).start();
            return run;
        }

        TrainingRun resume(String name, TrainingJobStore store, Runnable onDone) {
            TrainingRun run = new TrainingRun(name, store, env, onDone);
            run.thread(run::reattach).start();
            return run;
        }
    }

    private final String name;
    private final TrainingJobStore store;
    private final Environment env;
    private final Runnable onDone;
    private final Path jobDir;
    private final JobStorage storage;
    private final Map<String, Double> lastMetricValues = new LinkedHashMap<>();
    private volatile String stopReason;
    private volatile boolean detached;

    private TrainingRun(String name, TrainingJobStore store, Environment env, Runnable onDone) {
        this.name = name;
        this.store = store;
        this.env = env;
        this.onDone = onDone;
        this.jobDir = env.home().jobs().resolve(name);
        this.storage = new JobStorage(env.blobs());
    }

    private Thread thread(Runnable body) {
        Thread thread = new Thread(body, "training-job-" + name);
        thread.setDaemon(true);
        return thread;
    }

    /** StopTrainingJob: the processes get SIGTERM, then SIGKILL after the grace period. */
    void stop(String reason) {
        if (stopReason == null) {
            stopReason = reason;
            store.update(name, job -> {
                job.put("TrainingJobStatus", "Stopping");
                transition(job, "Stopping", "Stopping the training job");
            });
        }
    }

    /** The server is going away: stop watching, leave the processes running for the next server to re-attach. */
    void detach() {
        detached = true;
    }

    private void runFromStart() {
        try {
            JsonNode job = store.find(name).orElseThrow();
            List<HostLayout> hosts = hosts(job);
            AlgorithmImages.Image image = image(job);
            for (HostLayout host : hosts) {
                host.write(job);
            }
            update("Downloading", "Downloading input data");
            download(job, hosts);
            if (stopReason != null) {
                finish(job, hosts, Map.of(), null);
                return;
            }
            store.update(name, j -> {
                j.put("TrainingStartTime", TrainingJobStore.now());
                j.put("SecondaryStatus", "Training");
                transition(j, "Training", "Training image download completed. Training in progress.");
            });
            Map<String, String> hostNetwork = hosts.size() > 1
                    ? Map.of(FIRST_HOST_ADDRESS, "127.0.0.1:" + ContainerEnvironment.freeLoopbackPort()) : Map.of();
            PrivateNetwork network = privateNetwork(job, image, hosts);
            try {
                for (HostLayout host : hosts) {
                    List<String> argv = new ArrayList<>(network == null ? List.of() : network.enter());
                    argv.addAll(image.command());
                    argv.add("train");
                    Map<String, String> environment = processEnvironment(job, host);
                    environment.putAll(hostNetwork);
                    process(host).start(argv, environment, host.base());
                }
                // The network's holder lives until the job ends: a host's nsenter may still be on its way in.
                watch(store.find(name).orElseThrow(), hosts);
            } finally {
                if (network != null) {
                    network.close();
                }
            }
        } catch (JobFailure e) {
            fail(e.getMessage());
        } catch (Exception e) {
            LOG.log(Level.WARNING, "training job " + name + " failed inside the local cloud", e);
            fail("InternalServerError: the local cloud could not run the job: " + e);
        } finally {
            if (!detached) {
                onDone.run();
            }
        }
    }

    /** After a restart: go on watching processes that still run, fail the job honestly when they are gone. */
    private void reattach() {
        try {
            JsonNode job = store.find(name).orElseThrow();
            List<HostLayout> hosts = hosts(job);
            if (!job.path("SecondaryStatus").asText().equals("Training") && !job.path("TrainingJobStatus").asText().equals("Stopping")) {
                fail("InternalServerError: the local cloud stopped while the job was " + job.path("SecondaryStatus").asText()
                        + " and before its processes started: create the job again");
                return;
            }
            for (HostLayout host : hosts) {
                if (process(host).gone()) {
                    fail("InternalServerError: the local cloud stopped while the job ran and the process of " + host.host()
                            + " is gone: create the job again");
                    return;
                }
            }
            job.path("FinalMetricDataList").forEach(m -> lastMetricValues.put(m.path("MetricName").asText(), m.path("Value").asDouble()));
            if (job.path("TrainingJobStatus").asText().equals("Stopping")) {
                stopReason = "Stopped by StopTrainingJob";
            }
            LOG.info("re-attached to training job " + name);
            watch(job, hosts);
        } catch (JobFailure e) {
            fail(e.getMessage());
        } catch (Exception e) {
            fail("InternalServerError: the local cloud could not re-attach to the job: " + e);
        } finally {
            if (!detached) {
                onDone.run();
            }
        }
    }

    private AlgorithmImages.Image image(JsonNode job) {
        try {
            return env.images().image(job.path("AlgorithmSpecification").path("TrainingImage").asText());
        } catch (IllegalArgumentException e) {
            throw new JobFailure("ClientError: " + e.getMessage());
        }
    }

    /**
     * A network of the job's own, or null. A job created with EnableNetworkIsolation gets one, even with one host, as
     * SageMaker isolates it: its hosts reach each other and nothing else (channels are downloaded and the model uploaded
     * by the local cloud, as by SageMaker); a machine that cannot make one fails such a job with the reason. The hosts of
     * a multi-instance job whose image needs no other network get one too, where the machine can make it (see
     * {@link PrivateNetwork}); elsewhere they run on its own loopback, as every other job does.
     */
    private PrivateNetwork privateNetwork(JsonNode job, AlgorithmImages.Image image, List<HostLayout> hosts) {
        boolean requested = job.path("EnableNetworkIsolation").asBoolean(false);
        if (!requested && (!image.networkIsolation() || hosts.size() < 2)) {
            return null;
        }
        try {
            return PrivateNetwork.open();
        } catch (IOException e) {
            if (requested) {
                throw new JobFailure("ClientError: EnableNetworkIsolation asks for a network of the job's own, which this"
                        + " machine cannot make (" + e.getMessage() + "): create the job without EnableNetworkIsolation");
            }
            LOG.warning("training job " + name + ": no private network can be made here (" + e.getMessage() + "), so its "
                    + hosts.size() + " hosts share this machine's network: a port they listen on all interfaces is open"
                    + " to other machines while they train");
            return null;
        }
    }

    private List<HostLayout> hosts(JsonNode job) {
        int count = job.path("ResourceConfig").path("InstanceCount").asInt(1);
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            names.add("algo-" + i);
        }
        return names.stream().map(h -> new HostLayout(jobDir.resolve(h), h, names)).toList();
    }

    private HostProcess process(HostLayout host) {
        return new HostProcess(jobDir.resolve("runtime").resolve(host.host()));
    }

    /** Channel data to each host (all of it, or a disjoint share with ShardedByS3Key), then checkpoints. */
    private void download(JsonNode job, List<HostLayout> hosts) throws IOException {
        for (JsonNode channel : job.path("InputDataConfig")) {
            String channelName = channel.path("ChannelName").asText();
            JsonNode source = channel.path("DataSource").path("S3DataSource");
            S3Uri prefix = S3Uri.parse(source.path("S3Uri").asText(), "S3Uri");
            List<String> keys = storage.keys(prefix, channelName);
            boolean sharded = source.path("S3DataDistributionType").asText().equals("ShardedByS3Key");
            for (int h = 0; h < hosts.size(); h++) {
                List<String> share = new ArrayList<>();
                for (int k = 0; k < keys.size(); k++) {
                    if (!sharded || k % hosts.size() == h) {
                        share.add(keys.get(k));
                    }
                }
                storage.download(prefix, share, hosts.get(h).channel(channelName));
            }
        }
        if (job.has("CheckpointConfig")) {
            S3Uri checkpoints = S3Uri.parse(job.path("CheckpointConfig").path("S3Uri").asText(), "CheckpointConfig.S3Uri");
            for (HostLayout host : hosts) {
                storage.restore(checkpoints, host.checkpoints(job));
            }
        }
    }

    /** Ships output and metrics, syncs checkpoints, enforces stop and MaxRuntimeInSeconds, until every host ends. */
    private void watch(JsonNode job, List<HostLayout> hosts) throws Exception {
        Instant started = Instant.ofEpochMilli((long) (job.path("TrainingStartTime").asDouble() * 1000));
        Instant deadline = started.plusSeconds(job.path("StoppingCondition").path("MaxRuntimeInSeconds").asLong());
        List<Pattern> patterns = new ArrayList<>();
        List<String> metricNames = new ArrayList<>();
        for (JsonNode definition : job.path("AlgorithmSpecification").path("MetricDefinitions")) {
            metricNames.add(definition.path("Name").asText());
            patterns.add(Pattern.compile(definition.path("Regex").asText()));
        }
        Map<Path, Long> checkpointsUploaded = new HashMap<>();
        Instant nextCheckpointSync = Instant.now();
        Instant terminated = null;
        Map<String, Integer> exitCodes = new LinkedHashMap<>();
        while (!detached) {
            for (HostLayout host : hosts) {
                HostProcess process = process(host);
                Optional<Integer> exit = process.exitCode();
                HostProcess.Output output;
                do {
                    output = process.unshipped(exit.isPresent());
                    ship(host, process, output.lines(), patterns, metricNames);
                    process.shipped(output.endOffset());
                } while (exit.isPresent() && !output.lines().isEmpty()); // an ended process's output is shipped whole
                exit.ifPresent(code -> exitCodes.put(host.host(), code));
                if (exit.isEmpty() && process.gone()) {
                    signalRunning(hosts, exitCodes, true);
                    throw new JobFailure("InternalServerError: the process of " + host.host() + " is gone without an exit"
                            + " status (its wrapper was ended from outside the local cloud): create the job again");
                }
            }
            if (job.has("CheckpointConfig") && !Instant.now().isBefore(nextCheckpointSync)) {
                syncCheckpoints(job, hosts, checkpointsUploaded);
                nextCheckpointSync = Instant.now().plus(CHECKPOINT_SYNC);
            }
            if (exitCodes.size() == hosts.size()) {
                break;
            }
            // As on SageMaker, a host that fails fails the job: the others are stopped rather than left waiting for it.
            boolean hostFailed = exitCodes.values().stream().anyMatch(code -> code != 0);
            if (terminated == null && (stopReason != null || hostFailed || Instant.now().isAfter(deadline))) {
                if (stopReason == null && !hostFailed) {
                    stopReason = "MaxRuntimeExceeded";
                }
                signalRunning(hosts, exitCodes, false);
                terminated = Instant.now();
            } else if (terminated != null && Instant.now().isAfter(terminated.plus(env.stopGrace()))) {
                signalRunning(hosts, exitCodes, true);
            }
            Thread.sleep(POLL.toMillis());
        }
        if (!detached) {
            if (job.has("CheckpointConfig")) {
                syncCheckpoints(job, hosts, checkpointsUploaded);
            }
            finish(job, hosts, exitCodes, started);
        }
    }

    /** SIGTERM ({@code force} false) or SIGKILL to the hosts that have not ended. */
    private void signalRunning(List<HostLayout> hosts, Map<String, Integer> exitCodes, boolean force) throws IOException {
        for (HostLayout host : hosts) {
            if (!exitCodes.containsKey(host.host())) {
                process(host).signal(force);
            }
        }
    }

    private void ship(HostLayout host, HostProcess process, List<String> lines, List<Pattern> patterns,
                      List<String> metricNames) throws IOException {
        if (lines.isEmpty()) {
            return;
        }
        long now = System.currentTimeMillis();
        List<LogEvent> events = new ArrayList<>();
        boolean metricsChanged = false;
        for (String line : lines) {
            events.add(new LogEvent(now, line));
            for (int i = 0; i < patterns.size(); i++) {
                Matcher m = patterns.get(i).matcher(line);
                if (m.find() && m.groupCount() >= 1) {
                    try {
                        double value = Double.parseDouble(m.group(1));
                        if (!Double.isFinite(value)) {
                            continue; // CloudWatch takes no NaN or infinity.
                        }
                        env.metrics().put(METRIC_NAMESPACE, metricNames.get(i), Map.of("TrainingJobName", name),
                                Instant.ofEpochMilli(now), value, "None");
                        lastMetricValues.put(metricNames.get(i), value);
                        metricsChanged = true;
                    } catch (NumberFormatException notANumber) {
                        // A regex that matched something else than a number: SageMaker ignores it too.
                    }
                }
            }
        }
        if (metricsChanged) {
            store.update(name, job -> job.set("FinalMetricDataList", finalMetrics()));
        }
        // Last, right before the caller records the offset: a crash in between ships these lines again, never loses them.
        env.logs().append(LOG_GROUP, process.streamName(name, host.host()), events);
    }

    private ArrayNode finalMetrics() {
        ArrayNode list = dev.stratus.cloud.server.JsonRpc.JSON.createArrayNode();
        double now = TrainingJobStore.now();
        lastMetricValues.forEach((metric, value) -> list.addObject().put("MetricName", metric).put("Value", value).put("Timestamp", now));
        return list;
    }

    private void syncCheckpoints(JsonNode job, List<HostLayout> hosts, Map<Path, Long> uploaded) throws IOException {
        S3Uri destination = S3Uri.parse(job.path("CheckpointConfig").path("S3Uri").asText(), "CheckpointConfig.S3Uri");
        for (HostLayout host : hosts) {
            storage.sync(host.checkpoints(job), destination, uploaded);
        }
    }

    /** Uploads the artifacts and sets the final status from the exit codes (or the stop that ended them). */
    private void finish(JsonNode job, List<HostLayout> hosts, Map<String, Integer> exitCodes, Instant started) throws IOException {
        // The host that failed first says why: the others may have failed only because it was gone.
        String failure = null;
        Instant firstFailure = null;
        for (HostLayout host : hosts) {
            Integer code = exitCodes.get(host.host());
            if (code != null && code != 0) {
                Instant ended = process(host).endTime();
                if (firstFailure == null || ended.isBefore(firstFailure)) {
                    firstFailure = ended;
                    failure = failureReason(host, code);
                }
            }
        }
        String stop = stopReason;
        update("Uploading", "Uploading generated training model");
        S3Uri output = S3Uri.parse(job.path("OutputDataConfig").path("S3OutputPath").asText(), "S3OutputPath").resolve(name + "/output");
        HostLayout first = hosts.get(0);
        Path scratch = Files.createDirectories(jobDir.resolve("runtime"));
        storage.uploadArchive(first.model(), output.resolve("model.tar.gz"), scratch);
        if (hasFiles(first.outputData())) {
            storage.uploadArchive(first.outputData(), output.resolve("output.tar.gz"), scratch);
        }
        double end = TrainingJobStore.now();
        String reason = failure;
        store.update(name, j -> {
            j.putObject("ModelArtifacts").put("S3ModelArtifacts", output.resolve("model.tar.gz").toString());
            j.put("TrainingEndTime", end);
            if (started != null) {
                double seconds = Math.max(1, Math.ceil(end - started.toEpochMilli() / 1000.0));
                j.put("TrainingTimeInSeconds", (long) seconds);
                j.put("BillableTimeInSeconds", (long) seconds * hosts.size());
            }
            j.set("FinalMetricDataList", finalMetrics());
            if (stop != null && stop.equals("MaxRuntimeExceeded")) {
                // As on SageMaker, a job that runs out of time ends Stopped with this secondary status.
                j.put("TrainingJobStatus", "Stopped");
                transition(j, "MaxRuntimeExceeded", "Job stopped because it exceeded MaxRuntimeInSeconds");
            } else if (stop != null) {
                j.put("TrainingJobStatus", "Stopped");
                transition(j, "Stopped", "Training job stopped");
            } else if (reason != null) {
                j.put("TrainingJobStatus", "Failed");
                j.put("FailureReason", reason);
                transition(j, "Failed", "Training job failed");
            } else {
                j.put("TrainingJobStatus", "Completed");
                transition(j, "Completed", "Training job completed");
            }
        });
    }

    /** {@code output/failure} (its first 1024 characters), as SageMaker reports it, else what the exit code says. */
    private static String failureReason(HostLayout host, int code) throws IOException {
        if (Files.isRegularFile(host.failure()) && Files.size(host.failure()) > 0) {
            String text = Files.readString(host.failure()).strip();
            return text.length() > 1024 ? text.substring(0, 1024) : text;
        }
        if (code > 128) {
            return "AlgorithmError: the algorithm on " + host.host() + " was killed by signal " + (code - 128)
                    + (code - 128 == 9 ? " (SIGKILL)" : code - 128 == 15 ? " (SIGTERM)" : "");
        }
        return "AlgorithmError: the algorithm on " + host.host() + " exited with code " + code
                + " and wrote no output/failure: see the job's log stream";
    }

    private static boolean hasFiles(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return false;
        }
        try (var files = Files.walk(folder)) {
            return files.anyMatch(Files::isRegularFile);
        }
    }

    private void fail(String reason) {
        try {
            store.update(name, j -> {
                j.put("TrainingJobStatus", "Failed");
                j.put("FailureReason", reason.length() > 1024 ? reason.substring(0, 1024) : reason);
                j.put("TrainingEndTime", TrainingJobStore.now());
                transition(j, "Failed", reason.lines().findFirst().orElse(reason));
            });
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "could not record the failure of training job " + name, e);
        }
    }

    private void update(String secondary, String message) {
        store.update(name, j -> transition(j, secondary, message));
    }

    /** Ends the current secondary status and starts the next one. */
    private static void transition(ObjectNode job, String status, String message) {
        double now = TrainingJobStore.now();
        ArrayNode transitions = job.withArray("SecondaryStatusTransitions");
        if (!transitions.isEmpty()) {
            ObjectNode last = (ObjectNode) transitions.get(transitions.size() - 1);
            if (!last.has("EndTime")) {
                last.put("EndTime", now);
            }
        }
        ObjectNode next = transitions.addObject().put("Status", status).put("StartTime", now).put("StatusMessage", message);
        if (List.of("Completed", "Failed", "Stopped", "MaxRuntimeExceeded").contains(status)) {
            next.put("EndTime", now);
        }
        job.put("SecondaryStatus", status);
    }

    /** What the algorithm sees: the platform's variables and the local endpoint, never the server's credentials file. */
    private Map<String, String> processEnvironment(JsonNode job, HostLayout host) throws IOException {
        Map<String, String> environment = ContainerEnvironment.base(env.endpoint(), env.credentials(), env.region());
        environment.putAll(host.environment(job));
        return environment;
    }
}
