package dev.stratus.cloud.endpoints;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.metrics.MetricBuffer;
import dev.stratus.cloud.metrics.MetricsService;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.JsonRpc;

/**
 * SageMaker Runtime's InvokeEndpoint (restJson1: {@code POST /endpoints/<name>/invocations}, signed for "sagemaker" like
 * the SageMaker API, told apart by its path). The body and the headers of the inference contract go to a healthy
 * instance of a variant chosen by weight (or by TargetVariant); the answer is the container's body and Content-Type,
 * the invoked variant and the container's custom attributes. A request whose instance fails to answer (it died, or
 * closed the connection) is sent again to another healthy instance, so an instance's death fails no request while
 * its variant has another.
 *
 * <p>Errors carry SageMaker Runtime's codes: ValidationError (400; 413 above the 6 MB payload limit), ModelError (424,
 * the container's status and message in OriginalStatusCode and OriginalMessage) and ServiceUnavailable (503, no healthy
 * instance). Each invocation is counted in CloudWatch (namespace AWS/SageMaker) as SageMaker counts it.
 */
public final class EndpointRuntime implements AwsService {

    /** SageMaker's payload limit for InvokeEndpoint (sagemaker-facts.md §2). */
    static final int MAX_PAYLOAD = 6 * 1024 * 1024;
    private static final String NAMESPACE = "AWS/SageMaker";
    private static final String CONTENT_TYPE = "application/json";
    /** Enough to get past an instance that just died and a stale pooled connection, not so many that a dead variant stalls. */
    private static final int MAX_ATTEMPTS = 4;
    /** Request headers of the inference contract, passed to the container as they came. */
    private static final List<String> FORWARDED = List.of("Content-Type", "Accept", "X-Amzn-SageMaker-Custom-Attributes",
            "X-Amzn-SageMaker-Target-Model", "X-Amzn-SageMaker-Inference-Id");
    static final String CUSTOM_ATTRIBUTES = "X-Amzn-SageMaker-Custom-Attributes";

    private final Endpoints endpoints;
    private final ContainerClient containers;
    private final String region;
    /** Metrics are summed in memory and written once a second: a request waits for its container, never for the database. */
    private final MetricBuffer metrics;

    EndpointRuntime(Endpoints endpoints, ContainerClient containers, MetricsService metrics, int metricsResolution, String region) {
        this.endpoints = endpoints;
        this.containers = containers;
        this.metrics = new MetricBuffer(metrics, metricsResolution, Duration.ofSeconds(1));
        this.region = region;
    }

    @Override
    public String signingName() {
        return "sagemaker";
    }

    @Override
    public boolean serves(String path) {
        return path.startsWith("/endpoints/");
    }

    @Override
    public AwsResponse handle(AwsRequest request) throws Exception {
        long received = System.nanoTime();
        // "", "endpoints", name, operation (a one-character split, no regex: this runs on every invocation)
        String[] path = request.path().split("/", -1);
        if (path.length != 4 || path[2].isEmpty() || path[3].isEmpty() || !request.method().equals("POST")) {
            throw new AwsException(404, "UnknownOperationException", request.method() + " " + request.path() + " is not an"
                    + " operation of SageMaker Runtime: InvokeEndpoint is POST /endpoints/<name>/invocations");
        }
        String name = URLDecoder.decode(path[2], StandardCharsets.UTF_8);
        if (!path[3].equals("invocations")) {
            throw new AwsException(400, "ValidationError", "Only InvokeEndpoint (POST /endpoints/" + name + "/invocations) is"
                    + " supported locally, not /" + path[3] + ": use InvokeEndpoint");
        }
        Deployment deployment = endpoints.deployment(name);
        if (deployment == null || deployment.routing().isEmpty()) {
            throw notServing(name, deployment);
        }
        if (request.body().length > MAX_PAYLOAD) {
            throw new AwsException(413, "ValidationError", "Request payload of " + request.body().length + " bytes is larger"
                    + " than InvokeEndpoint's limit of " + MAX_PAYLOAD + " bytes (6 MB): send smaller batches, or use batch transform");
        }
        String pinned = request.header("x-amzn-sagemaker-target-variant");
        if (pinned != null && deployment.routing().stream().noneMatch(v -> v.name.equals(pinned))) {
            throw new AwsException(400, "ValidationError", "Endpoint " + name + " of account " + CloudHome.ACCOUNT_ID
                    + " has no production variant named " + pinned + ": use one of "
                    + deployment.routing().stream().map(v -> v.name).toList());
        }
        return invoke(deployment, request, pinned, received);
    }

    private AwsResponse invoke(Deployment deployment, AwsRequest request, String pinned, long received)
            throws InterruptedException {
        Set<Instance> tried = new HashSet<>();
        String variant = pinned;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            Instance instance = deployment.pick(pinned, variant, tried);
            if (instance == null) {
                break;
            }
            variant = instance.variant;
            Map<String, String> forwarded = new LinkedHashMap<>();
            for (String header : FORWARDED) {
                String value = request.header(header);
                if (value != null) {
                    forwarded.put(header, value);
                }
            }
            long sent = System.nanoTime();
            ContainerClient.Answer answer;
            instance.inFlight.incrementAndGet();
            try {
                answer = containers.invoke(instance.invocations(), request.body(), forwarded, Deployment.INVOCATION_TIMEOUT);
            } catch (SocketTimeoutException e) {
                record(deployment, variant, 500, -1, received);
                return modelError(deployment, instance, 0, "Your invocation timed out while waiting for a response from"
                        + " container primary (" + Deployment.INVOCATION_TIMEOUT.toSeconds() + " s)");
            } catch (IOException e) {
                // The instance died or closed a kept-alive connection: the request never reached a live model.
                tried.add(instance);
                continue;
            } finally {
                instance.inFlight.decrementAndGet();
            }
            long modelMicros = (System.nanoTime() - sent) / 1000;
            int status = answer.status();
            record(deployment, variant, status, modelMicros, received);
            if (status < 200 || status >= 300) {
                return modelError(deployment, instance, status, new String(answer.body(), StandardCharsets.UTF_8));
            }
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-Amzn-Invoked-Production-Variant", variant);
            answer.customAttributes().ifPresent(value -> headers.put(CUSTOM_ATTRIBUTES, value));
            return new AwsResponse(200, answer.contentType(), answer.body(), headers);
        }
        if (variant != null) {
            record(deployment, variant, 503, -1, received);
        }
        throw new AwsException(503, "ServiceUnavailable", "Endpoint " + deployment.endpoint + " has no healthy instance"
                + (pinned != null ? " in production variant " + pinned : "") + " to answer right now: its instances are"
                + " being started again, retry in a few seconds (see CloudWatch Logs group " + deployment.logGroup + ")");
    }

    /**
     * An endpoint that takes no traffic: "Endpoint X of account Y not found.", as SageMaker Runtime words it, with its
     * status when it exists; or, while a restarted server starts its instances again, ServiceUnavailable.
     */
    private AwsException notServing(String name, Deployment deployment) {
        String status = endpoints.status(name).orElse(null);
        if (deployment != null && status != null && !status.equals("Creating")) {
            return new AwsException(503, "ServiceUnavailable", "Endpoint " + name + " is starting its instances again after"
                    + " the local cloud restarted: retry in a few seconds");
        }
        String hint = status == null ? ""
                : status.equals("Creating") ? " It is Creating: wait until it is InService."
                : status.equals("Deleting") ? " It is being deleted."
                : " It is " + status + ": see DescribeEndpoint's FailureReason, then create it again.";
        return new AwsException(400, "ValidationError", "Endpoint " + name + " of account " + CloudHome.ACCOUNT_ID
                + " not found." + hint);
    }

    /** The container answered an error (or nothing in time): ModelError, with its status and message. */
    private AwsResponse modelError(Deployment deployment, Instance instance, int status, String message) {
        String kind = status >= 400 && status < 500 ? "client" : "server";
        ObjectNode body = JsonRpc.JSON.createObjectNode()
                .put("message", "Received " + kind + " error (" + status + ") from primary with message \"" + message
                        + "\". See CloudWatch Logs group " + deployment.logGroup + " (streams " + instance.variant
                        + "/<instance id>) in account " + CloudHome.ACCOUNT_ID + " for more information.")
                .put("OriginalStatusCode", status)
                .put("OriginalMessage", message)
                .put("LogStreamArn", "arn:aws:logs:" + region + ":" + CloudHome.ACCOUNT_ID + ":log-group:" + deployment.logGroup);
        return response(424, "ModelError", body);
    }

    @Override
    public AwsResponse error(AwsException e, Map<String, List<String>> headers) {
        return response(e.status(), e.code(), JsonRpc.JSON.createObjectNode().put("message", e.getMessage()));
    }

    /** restJson1's error shape: the code in x-amzn-ErrorType, the message and any other members in the JSON body. */
    private static AwsResponse response(int status, String code, ObjectNode body) {
        try {
            return new AwsResponse(status, CONTENT_TYPE, JsonRpc.JSON.writeValueAsBytes(body), Map.of("x-amzn-ErrorType", code));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /**
     * SageMaker's invocation metrics, dimensions EndpointName and VariantName: Invocations, Invocation4XXErrors and
     * Invocation5XXErrors (0 or 1 each, so that their average is a rate), InvocationsPerInstance, and, when the model
     * answered, ModelLatency and OverheadLatency in microseconds.
     */
    private void record(Deployment deployment, String variant, int status, long modelMicros, long received) {
        long overheadMicros = (System.nanoTime() - received) / 1000 - Math.max(modelMicros, 0);
        int instances = 1;
        for (Deployment.Variant routed : deployment.routing()) {
            if (routed.name.equals(variant)) {
                instances = routed.instances.size();
                break;
            }
        }
        Instant now = Instant.now();
        Map<String, String> dimensions = Map.of("EndpointName", deployment.endpoint, "VariantName", variant);
        metrics.add(NAMESPACE, "Invocations", dimensions, now, 1, "None");
        metrics.add(NAMESPACE, "Invocation4XXErrors", dimensions, now, status >= 400 && status < 500 ? 1 : 0, "None");
        metrics.add(NAMESPACE, "Invocation5XXErrors", dimensions, now, status >= 500 ? 1 : 0, "None");
        metrics.add(NAMESPACE, "InvocationsPerInstance", dimensions, now, 1.0 / Math.max(instances, 1), "None");
        if (modelMicros >= 0) {
            metrics.add(NAMESPACE, "ModelLatency", dimensions, now, modelMicros, "Microseconds");
            metrics.add(NAMESPACE, "OverheadLatency", dimensions, now, Math.max(overheadMicros, 0), "Microseconds");
        }
    }

    /** Writes the metrics still buffered. */
    void close() {
        metrics.close();
    }
}
