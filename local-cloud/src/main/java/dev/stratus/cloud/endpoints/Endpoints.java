package dev.stratus.cloud.endpoints;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jclouds.blobstore.BlobStore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.logs.LogsService;
import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.sagemaker.Requests;
import dev.stratus.cloud.sagemaker.Resources;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.state.Database;
import dev.stratus.cloud.training.AlgorithmImages;

/**
 * SageMaker's endpoint operations: CreateEndpoint, DescribeEndpoint, ListEndpoints, UpdateEndpoint,
 * UpdateEndpointWeightsAndCapacities, DeleteEndpoint. Endpoints really serve: each instance is an OS process of the
 * model's image (see {@link Deployment}), and {@link EndpointRuntime} forwards InvokeEndpoint to them.
 *
 * <p>Statuses as on SageMaker: Creating, then InService once every instance answers GET /ping with 200, or Failed with
 * a FailureReason; Updating while an update runs; Deleting until the instances are stopped. State is kept in the
 * database, with the deployed variants, so that a restarted server starts every endpoint's instances again.
 */
public final class Endpoints implements AutoCloseable {

    /** SageMaker's grace between SIGTERM and SIGKILL when it scales an endpoint down (sagemaker-facts.md §2). */
    public static final Duration SCALE_DOWN_GRACE = Duration.ofSeconds(30);
    /** SageMaker's: an instance must answer /ping within 4 minutes of its start. */
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofMinutes(4);
    private static final Logger LOG = Logger.getLogger(Endpoints.class.getName());
    private static final Duration LOG_SHIPPING = Duration.ofMillis(500);

    /**
     * What endpoints need from the local cloud.
     *
     * @param stopGrace     the local cloud's grace between SIGTERM and SIGKILL; instances get it or SageMaker's 30 s, the shorter
     * @param healthTimeout how long a new instance may take to answer GET /ping with 200
     * @param metricsResolution the storage resolution of the invocation metrics in seconds: 60 as SageMaker's, or 1
     *                          (high resolution), which alarms with 10-, 20- or 30-second periods need
     */
    public record Environment(CloudHome home, AlgorithmImages images, BlobStore blobs, LogsService logs,
                              MetricsService metrics, URI endpoint, CloudHome.Credentials credentials, String region,
                              Duration stopGrace, Duration healthTimeout, int metricsResolution) {
    }

    private final Resources endpoints;
    private final Models models;
    private final Environment env;
    /** To every instance: HTTP/1.1 with kept-alive connections, so that a request costs no new connection. */
    private final ContainerClient containers = new ContainerClient();
    private final Map<String, Deployment> deployments = new ConcurrentHashMap<>();
    private final ScheduledExecutorService shipper;
    private final EndpointRuntime runtime;

    public Endpoints(Database db, Models models, Environment env) {
        this.endpoints = new Resources(db, Resources.ENDPOINTS, env.region());
        this.models = models;
        this.env = env;
        this.runtime = new EndpointRuntime(this, containers, env.metrics(), env.metricsResolution(), env.region());
        this.shipper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "endpoint-logs");
            thread.setDaemon(true);
            return thread;
        });
        shipper.scheduleWithFixedDelay(() -> deployments.values().forEach(Deployment::ship),
                LOG_SHIPPING.toMillis(), LOG_SHIPPING.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The operations, by name, for the SageMaker service. */
    public Map<String, JsonRpc.Operation> operations() {
        Map<String, JsonRpc.Operation> operations = new LinkedHashMap<>();
        operations.put("CreateEndpoint", this::create);
        operations.put("DescribeEndpoint", r -> endpoints.describe(Requests.required(r, "EndpointName", "endpointName").asText()));
        operations.put("ListEndpoints", endpoints::list);
        operations.put("UpdateEndpoint", this::update);
        operations.put("UpdateEndpointWeightsAndCapacities", this::updateWeightsAndCapacities);
        operations.put("DeleteEndpoint", this::delete);
        return operations;
    }

    /** SageMaker Runtime's InvokeEndpoint, for the router. */
    public EndpointRuntime runtime() {
        return runtime;
    }

    public int count() {
        return endpoints.count();
    }

    /** The running side of an endpoint that takes traffic, or null. */
    Deployment deployment(String name) {
        return deployments.get(name);
    }

    /** The status of an endpoint, for the runtime's messages; empty when there is no such endpoint. */
    Optional<String> status(String name) {
        return endpoints.find(name).map(e -> e.path("EndpointStatus").asText());
    }

    /**
     * After a restart: instances a dead server left running are ended, and every endpoint that was serving, being
     * created or updated gets its instances again (from the variants recorded when it was last deployed).
     */
    public void resumeAfterRestart() {
        try {
            Instance.endLeftovers(env.home().endpoints());
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not look for instance processes left by the previous server", e);
        }
        for (String name : endpoints.names()) {
            String status = endpoints.find(name).map(e -> e.path("EndpointStatus").asText()).orElse("");
            ObjectNode state = endpoints.state(name).orElseThrow();
            switch (status) {
                case "Deleting" -> new Thread(() -> remove(name, null), "endpoint-" + name + "-delete").start();
                case "Creating", "InService", "Updating" -> {
                    Deployment deployment = new Deployment(name, env, containers);
                    deployments.put(name, deployment);
                    deployment.submit(() -> {
                        try {
                            // Folders and unshipped output of the previous server's instances: the new ones start afresh.
                            ModelArchive.delete(env.home().endpoints().resolve(name));
                        } catch (IOException e) {
                            LOG.warning("endpoint " + name + ": could not clear its folder: " + e);
                        }
                        deploy(deployment, state.path("Variants"), !status.equals("Creating"));
                    });
                    if (state.has("Pending")) {
                        String config = state.path("PendingConfig").asText();
                        deployment.submit(() -> blueGreen(deployment, config, state.path("Pending")));
                    }
                }
                default -> { } // Failed: nothing runs
            }
        }
    }

    private JsonNode create(JsonNode request) {
        String name = Requests.name(request, "EndpointName", "endpointName");
        String configName = Requests.required(request, "EndpointConfigName", "endpointConfigName").asText();
        ArrayNode variants = variants(configName);
        ObjectNode description = JsonRpc.JSON.createObjectNode()
                .put("EndpointName", name)
                .put("EndpointConfigName", configName)
                .put("EndpointStatus", "Creating");
        ObjectNode state = JsonRpc.JSON.createObjectNode();
        state.set("Variants", variants);
        if (!endpoints.insert(description, state)) {
            throw AwsException.resourceInUse("Cannot create already existing endpoint \"" + endpoints.arn(name) + "\".");
        }
        Deployment deployment = new Deployment(name, env, containers);
        deployments.put(name, deployment);
        deployment.submit(() -> deploy(deployment, variants, false));
        return JsonRpc.JSON.createObjectNode().put("EndpointArn", endpoints.arn(name));
    }

    /**
     * Starts an endpoint's instances: it becomes InService (unless an update interrupted by a restart runs next), or
     * Failed with the reason.
     */
    private void deploy(Deployment deployment, JsonNode variants, boolean restarted) {
        String name = deployment.endpoint;
        try {
            List<Deployment.Variant> started = deployment.start(variants);
            deployment.route(started);
            ArrayNode summaries = summaries(started);
            settle(deployment, (description, state) -> {
                description.set("ProductionVariants", summaries);
                // Creating, or serving again after a restart; an update that was under way goes on (blueGreen, next).
                if (!state.has("Pending")) {
                    description.put("EndpointStatus", "InService");
                }
            });
        } catch (EndpointFailure e) {
            fail(deployment, (restarted ? "The local cloud restarted and could not start the endpoint's instances again: "
                    : "") + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "endpoint " + name + " failed inside the local cloud", e);
            fail(deployment, "InternalFailure: the local cloud could not deploy the endpoint: " + e);
        }
    }

    /** The deployment failed and stopped what it started; the endpoint keeps its record, Failed, and takes no traffic. */
    private void fail(Deployment deployment, String reason) {
        endPending(deployment, "Failed", reason);
        if (!deployment.closed()) {
            deployments.remove(deployment.endpoint, deployment);
            deployment.abandon();
        }
    }

    /** Records what lifecycle work did, unless the endpoint is being deleted or the server is stopping meanwhile. */
    private void settle(Deployment deployment, Resources.Change change) {
        if (deployment.closed()) {
            return;
        }
        endpoints.update(deployment.endpoint, (description, state) -> {
            if (!description.path("EndpointStatus").asText().equals("Deleting")) {
                change.apply(description, state);
            }
        });
    }

    /**
     * UpdateEndpoint, blue/green as SageMaker does it by default: the new configuration's instances start beside the
     * old ones; once all are healthy, traffic moves to them at once and the old ones stop after their last requests.
     * No request fails on the way: until the switch the old instances answer, after it the new ones.
     */
    private JsonNode update(JsonNode request) {
        String name = Requests.required(request, "EndpointName", "endpointName").asText();
        String configName = Requests.required(request, "EndpointConfigName", "endpointConfigName").asText();
        // RetainAllVariantProperties, DeploymentConfig (canary, linear, rolling, alarms): every update is all at once here.
        ArrayNode variants = variants(configName);
        markUpdating(name, (description, state) -> {
            ObjectNode pending = description.putObject("PendingDeploymentSummary")
                    .put("EndpointConfigName", configName)
                    .put("StartTime", Resources.now());
            ArrayNode pendingVariants = pending.putArray("ProductionVariants");
            for (JsonNode variant : variants) {
                pendingVariants.addObject()
                        .put("VariantName", variant.path("VariantName").asText())
                        .put("DesiredWeight", variant.path("Weight").asDouble())
                        .put("DesiredInstanceCount", variant.path("InstanceCount").asInt())
                        .put("InstanceType", variant.path("InstanceType").asText());
            }
            state.set("Pending", variants);
            state.put("PendingConfig", configName);
        });
        Deployment deployment = deployments.get(name);
        deployment.submit(() -> blueGreen(deployment, configName, variants));
        return JsonRpc.JSON.createObjectNode().put("EndpointArn", endpoints.arn(name));
    }

    private void blueGreen(Deployment deployment, String configName, JsonNode variants) {
        String name = deployment.endpoint;
        try {
            List<Deployment.Variant> green = deployment.start(variants);
            List<Deployment.Variant> blue = deployment.route(green);
            deployment.retire(deployment.instances(blue));
            ArrayNode summaries = summaries(green);
            settle(deployment, (description, state) -> {
                description.put("EndpointStatus", "InService");
                description.put("EndpointConfigName", configName);
                description.set("ProductionVariants", summaries);
                description.remove("PendingDeploymentSummary");
                description.remove("FailureReason");
                state.set("Variants", variants);
                state.remove("Pending");
                state.remove("PendingConfig");
            });
        } catch (EndpointFailure e) {
            // What SageMaker does when an update fails: it rolls back, so the endpoint keeps serving its current
            // configuration, returns to InService, and FailureReason says why the update failed.
            rollBack(deployment, "Failed to update the endpoint to endpoint configuration " + configName
                    + ", so it was rolled back to its current configuration: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "updating endpoint " + name + " failed inside the local cloud", e);
            rollBack(deployment, "InternalFailure: the local cloud could not update the endpoint: " + e);
        }
    }

    /** A deployment that will not happen: the endpoint settles in {@code status}, and FailureReason says why. */
    private void endPending(Deployment deployment, String status, String reason) {
        settle(deployment, (description, state) -> {
            description.put("EndpointStatus", status);
            description.put("FailureReason", truncate(reason));
            description.remove("PendingDeploymentSummary");
            state.remove("Pending");
            state.remove("PendingConfig");
        });
    }

    private void rollBack(Deployment deployment, String reason) {
        endPending(deployment, "InService", reason);
    }

    /**
     * UpdateEndpointWeightsAndCapacities: instances are added (taking traffic once healthy) or removed (after their last
     * requests), then the weights change. A capacity that cannot be reached is rolled back like a failed update.
     */
    private JsonNode updateWeightsAndCapacities(JsonNode request) {
        String name = Requests.required(request, "EndpointName", "endpointName").asText();
        JsonNode desired = Requests.required(request, "DesiredWeightsAndCapacities", "desiredWeightsAndCapacities");
        if (!desired.isArray() || desired.isEmpty() || desired.size() > 10) {
            throw Requests.constraint(desired.toString(), "desiredWeightsAndCapacities", "Member must have length less than"
                    + " or equal to 10 and greater than or equal to 1");
        }
        for (JsonNode change : desired) {
            Requests.required(change, "VariantName", "desiredWeightsAndCapacities.member.variantName");
            if (change.has("DesiredWeight") && change.path("DesiredWeight").asDouble() < 0) {
                throw Requests.constraint(change.path("DesiredWeight").asText(), "desiredWeightsAndCapacities.member.desiredWeight",
                        "Member must have value greater than or equal to 0");
            }
            if (change.has("DesiredInstanceCount") && change.path("DesiredInstanceCount").asInt() < 1) {
                throw Requests.constraint(change.path("DesiredInstanceCount").asText(),
                        "desiredWeightsAndCapacities.member.desiredInstanceCount", "Member must have value greater than or equal to 1");
            }
        }
        markUpdating(name, (description, state) -> {
            Map<String, JsonNode> byName = new HashMap<>();
            desired.forEach(change -> byName.put(change.path("VariantName").asText(), change));
            for (JsonNode summary : description.path("ProductionVariants")) {
                JsonNode change = byName.remove(summary.path("VariantName").asText());
                if (change != null && change.has("DesiredWeight")) {
                    ((ObjectNode) summary).put("DesiredWeight", change.path("DesiredWeight").asDouble());
                }
                if (change != null && change.has("DesiredInstanceCount")) {
                    ((ObjectNode) summary).put("DesiredInstanceCount", change.path("DesiredInstanceCount").asInt());
                }
            }
            if (!byName.isEmpty()) {
                throw AwsException.validation("The endpoint " + name + " has no production variant named "
                        + String.join(", ", byName.keySet()) + ": name one of its variants (DescribeEndpoint lists them)");
            }
        });
        Deployment deployment = deployments.get(name);
        deployment.submit(() -> reweigh(deployment, desired));
        return JsonRpc.JSON.createObjectNode().put("EndpointArn", endpoints.arn(name));
    }

    private void reweigh(Deployment deployment, JsonNode desired) {
        try {
            for (JsonNode change : desired) {
                Deployment.Variant variant = deployment.routing().stream()
                        .filter(v -> v.name.equals(change.path("VariantName").asText())).findFirst().orElseThrow();
                if (change.has("DesiredInstanceCount")) {
                    deployment.scale(variant, change.path("DesiredInstanceCount").asInt());
                    variant.spec.put("InstanceCount", variant.instances.size());
                }
                if (change.has("DesiredWeight")) {
                    variant.weight = change.path("DesiredWeight").asDouble();
                    variant.spec.put("Weight", variant.weight);
                }
            }
            ArrayNode summaries = summaries(deployment.routing());
            ArrayNode variants = JsonRpc.JSON.createArrayNode();
            deployment.routing().forEach(v -> variants.add(v.spec));
            settle(deployment, (description, state) -> {
                description.put("EndpointStatus", "InService");
                description.set("ProductionVariants", summaries);
                description.remove("FailureReason");
                state.set("Variants", variants);
            });
        } catch (EndpointFailure e) {
            ArrayNode summaries = summaries(deployment.routing());
            settle(deployment, (description, state) -> {
                description.put("EndpointStatus", "InService");
                description.put("FailureReason", truncate("Failed to update the endpoint's weights and capacities, so it"
                        + " was rolled back: " + e.getMessage()));
                description.set("ProductionVariants", summaries);
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "updating endpoint " + deployment.endpoint + " failed inside the local cloud", e);
            rollBack(deployment, "InternalFailure: the local cloud could not update the endpoint: " + e);
        }
    }

    /** Changes an InService endpoint to Updating, or refuses as SageMaker does when it is in another status. */
    private void markUpdating(String name, Resources.Change change) {
        endpoints.update(name, (description, state) -> {
            String status = description.path("EndpointStatus").asText();
            if (!status.equals("InService")) {
                throw AwsException.validation("Cannot update in-progress endpoint \"" + endpoints.arn(name) + "\"."
                        + " (its status is " + status + ": wait until it is InService)");
            }
            change.apply(description, state);
            description.put("EndpointStatus", "Updating");
        }).orElseThrow(() -> endpoints.notFound(name));
    }

    /**
     * DeleteEndpoint: Deleting at once, and gone once its instances have stopped; deleting it again meanwhile changes
     * nothing. DeleteEndpoint declares no ResourceNotFound: a missing endpoint is a ValidationException.
     */
    private JsonNode delete(JsonNode request) {
        String name = Requests.required(request, "EndpointName", "endpointName").asText();
        boolean[] already = new boolean[1];
        endpoints.update(name, description -> {
            already[0] = description.path("EndpointStatus").asText().equals("Deleting");
            description.put("EndpointStatus", "Deleting");
        }).orElseThrow(() -> endpoints.notFound(name));
        if (already[0]) {
            return JsonRpc.JSON.createObjectNode();
        }
        Deployment deployment = deployments.remove(name);
        Thread thread = new Thread(() -> remove(name, deployment), "endpoint-" + name + "-delete");
        thread.setDaemon(true);
        thread.start();
        return JsonRpc.JSON.createObjectNode();
    }

    private void remove(String name, Deployment deployment) {
        try {
            if (deployment != null) {
                deployment.close();
            }
            ModelArchive.delete(env.home().endpoints().resolve(name));
            endpoints.delete(name);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "endpoint " + name + " could not be deleted completely", e);
        }
    }

    /** The variants an endpoint configuration deploys: each with its model's container resolved, as CreateEndpoint fixes them. */
    private ArrayNode variants(String configName) {
        ObjectNode config = models.config(configName);
        ArrayNode variants = JsonRpc.JSON.createArrayNode();
        for (JsonNode variant : config.path("ProductionVariants")) {
            ObjectNode container = models.container(variant.path("ModelName").asText());
            ObjectNode spec = variants.addObject()
                    .put("VariantName", variant.path("VariantName").asText())
                    .put("ModelName", variant.path("ModelName").asText())
                    .put("InstanceType", variant.path("InstanceType").asText())
                    .put("InstanceCount", variant.path("InitialInstanceCount").asInt(1))
                    .put("Weight", variant.path("InitialVariantWeight").asDouble(1.0))
                    .put("Image", container.path("Image").asText());
            if (container.hasNonNull("ModelDataUrl")) {
                spec.put("ModelDataUrl", container.path("ModelDataUrl").asText());
            }
            spec.set("Environment", container.path("Environment").isObject() ? container.get("Environment")
                    : JsonRpc.JSON.createObjectNode());
        }
        return variants;
    }

    /** DescribeEndpoint's ProductionVariants for variants that serve. */
    private static ArrayNode summaries(List<Deployment.Variant> variants) {
        ArrayNode summaries = JsonRpc.JSON.createArrayNode();
        double now = Resources.now();
        for (Deployment.Variant variant : variants) {
            ObjectNode summary = summaries.addObject().put("VariantName", variant.name);
            String image = variant.spec.path("Image").asText();
            // Locally an image URI names a program, not a digest: it resolves to itself.
            summary.putArray("DeployedImages").addObject()
                    .put("SpecifiedImage", image).put("ResolvedImage", image).put("ResolutionTime", now);
            summary.put("CurrentWeight", variant.weight).put("DesiredWeight", variant.weight)
                    .put("CurrentInstanceCount", variant.instances.size())
                    .put("DesiredInstanceCount", variant.instances.size());
        }
        return summaries;
    }

    private static String truncate(String reason) {
        return reason.length() > 1024 ? reason.substring(0, 1024) : reason;
    }

    /** Stops every instance; the endpoints' records stay as they are, so that the next server starts them again. */
    @Override
    public void close() {
        shipper.shutdownNow();
        List<Thread> closing = deployments.values().stream().map(d -> new Thread(d::close, "endpoint-" + d.endpoint + "-close")).toList();
        closing.forEach(Thread::start);
        for (Thread thread : closing) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        deployments.clear();
        runtime.close();
        containers.close();
    }
}
