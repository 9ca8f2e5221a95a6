package dev.stratus.algorithms.serving;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What SageMaker tells a model server through its environment: where to listen, the payload limit, how
 * many requests to work on at once, and for batch transform the strategy it reports on
 * {@code GET /execution-parameters}.
 *
 * @param port {@code SAGEMAKER_BIND_TO_PORT}, default 8080
 * @param modelDir {@code $SAGEMAKER_BASE_DIR/model}, default {@code /opt/ml/model}
 * @param maxPayloadBytes {@code SAGEMAKER_MAX_PAYLOAD_IN_MB}, default 6 MB, as InvokeEndpoint's limit
 * @param workers {@code SAGEMAKER_MODEL_SERVER_WORKERS}, default the number of processors
 * @param maxConcurrentTransforms {@code SAGEMAKER_MAX_CONCURRENT_TRANSFORMS}, default {@code workers}
 * @param batchStrategy {@code SAGEMAKER_BATCH_STRATEGY}, default {@code MULTI_RECORD}
 * @param address {@code STRATUS_MODEL_SERVER_ADDRESS}, default 127.0.0.1: the local cloud runs instances as processes
 *     on this machine, where nothing else should reach them; an image for SageMaker sets 0.0.0.0, since the platform
 *     connects to the container from outside it
 */
public record ServingSettings(int port, Path modelDir, int maxPayloadBytes, int workers, int maxConcurrentTransforms,
        String batchStrategy, InetAddress address) {

    public static ServingSettings fromEnvironment(Map<String, String> environment) {
        int workers = number(environment, "SAGEMAKER_MODEL_SERVER_WORKERS", Runtime.getRuntime().availableProcessors(), 1, 1024);
        return new ServingSettings(
                number(environment, "SAGEMAKER_BIND_TO_PORT", 8080, 0, 65535),
                Path.of(environment.getOrDefault("SAGEMAKER_BASE_DIR", "/opt/ml")).resolve("model"),
                number(environment, "SAGEMAKER_MAX_PAYLOAD_IN_MB", 6, 1, 100) * 1024 * 1024,
                workers,
                number(environment, "SAGEMAKER_MAX_CONCURRENT_TRANSFORMS", workers, 1, 1024),
                environment.getOrDefault("SAGEMAKER_BATCH_STRATEGY", "MULTI_RECORD"),
                address(environment.get("STRATUS_MODEL_SERVER_ADDRESS")));
    }

    private static InetAddress address(String value) {
        if (value == null || value.isBlank()) {
            return InetAddress.getLoopbackAddress();
        }
        try {
            return InetAddress.getByName(value.trim());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("STRATUS_MODEL_SERVER_ADDRESS='" + value + "' is not an address to listen on:"
                    + " use 0.0.0.0 in a container image for SageMaker, or unset it");
        }
    }

    private static int number(Map<String, String> environment, String name, int defaultValue, int min, int max) {
        String value = environment.get(name);
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Reported below with the out-of-range values.
        }
        throw new IllegalArgumentException(name + "='" + value + "' is not a whole number from " + min + " to " + max
                + ": fix or unset it in the model's Environment");
    }
}
