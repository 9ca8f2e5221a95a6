package dev.stratus.cloud.transform;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * How a job's requests are made: MaxConcurrentTransforms (requests in flight per instance), MaxPayloadInMB and
 * BatchStrategy. Each is the job's when it sets it; else, as SageMaker does, what the model server's
 * {@code GET /execution-parameters} answers; else SageMaker's defaults: 1 request at a time and 6 MB. SageMaker
 * documents no default BatchStrategy; MultiRecord is the SageMaker Python SDK's (local mode's) choice, taken here.
 */
record BatchSettings(int maxConcurrentTransforms, int maxPayloadInMB, boolean multiRecord) {

    static final int DEFAULT_CONCURRENCY = 1;
    static final int DEFAULT_PAYLOAD_MB = 6;
    static final int MAX_PAYLOAD_MB = 100;

    /** Whether the job leaves any setting to the model server, which is then asked. */
    static boolean leftToContainer(JsonNode job) {
        return job.path("MaxConcurrentTransforms").asInt(0) == 0 || !job.hasNonNull("MaxPayloadInMB")
                || !job.hasNonNull("BatchStrategy");
    }

    /** The job's settings, completed from {@code executionParameters} (the container's answer, when it gave one). */
    static BatchSettings of(JsonNode job, Optional<JsonNode> executionParameters) {
        JsonNode container = executionParameters.orElse(MissingNode.getInstance());
        int concurrency = job.path("MaxConcurrentTransforms").asInt(0) > 0 ? job.path("MaxConcurrentTransforms").asInt()
                : between(container.path("MaxConcurrentTransforms"), 1, 1024, DEFAULT_CONCURRENCY);
        int payload = job.hasNonNull("MaxPayloadInMB") ? job.path("MaxPayloadInMB").asInt()
                : between(container.path("MaxPayloadInMB"), 1, MAX_PAYLOAD_MB, DEFAULT_PAYLOAD_MB);
        String strategy = job.hasNonNull("BatchStrategy") ? job.path("BatchStrategy").asText()
                : container.path("BatchStrategy").asText("MULTI_RECORD");
        return new BatchSettings(concurrency, payload, !strategy.equalsIgnoreCase("SingleRecord")
                && !strategy.equalsIgnoreCase("SINGLE_RECORD"));
    }

    /** SAGEMAKER_BATCH and the settings the job gives, for the model server's environment. */
    static Map<String, String> environment(JsonNode job) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SAGEMAKER_BATCH", "True");
        if (job.hasNonNull("BatchStrategy")) {
            environment.put("SAGEMAKER_BATCH_STRATEGY", job.path("BatchStrategy").asText().equals("SingleRecord")
                    ? "SINGLE_RECORD" : "MULTI_RECORD");
        }
        if (job.hasNonNull("MaxPayloadInMB")) {
            environment.put("SAGEMAKER_MAX_PAYLOAD_IN_MB", job.path("MaxPayloadInMB").asText());
        }
        if (job.path("MaxConcurrentTransforms").asInt(0) > 0) {
            environment.put("SAGEMAKER_MAX_CONCURRENT_TRANSFORMS", job.path("MaxConcurrentTransforms").asText());
        }
        return environment;
    }

    int maxPayloadBytes() {
        return maxPayloadInMB * 1024 * 1024;
    }

    /** As SageMaker names it in the container's environment and the data log. */
    String strategy() {
        return multiRecord ? "MULTI_RECORD" : "SINGLE_RECORD";
    }

    private static int between(JsonNode value, int min, int max, int otherwise) {
        return value.canConvertToInt() && value.asInt() >= min && value.asInt() <= max ? value.asInt() : otherwise;
    }
}
