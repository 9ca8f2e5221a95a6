package dev.stratus.cloud.server;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The awsJson protocols (1.1: SageMaker, CloudWatch Logs; 1.0: CloudWatch): {@code POST /} with
 * {@code X-Amz-Target: <Prefix>.<Operation>} and a JSON body; errors are
 * {@code {"__type": code, "message": ...}}.
 */
public final class JsonRpc {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    /** An operation: the request's JSON in, the response's JSON out. */
    @FunctionalInterface
    public interface Operation {
        JsonNode apply(JsonNode input) throws Exception;
    }

    private final String targetPrefix;
    private final String contentType;
    private final Map<String, Operation> operations;

    /** awsJson1_1. */
    public JsonRpc(String targetPrefix, Map<String, Operation> operations) {
        this(targetPrefix, CONTENT_TYPE, operations);
    }

    /** @param contentType {@code application/x-amz-json-1.0} or {@code -1.1}, the protocol's version */
    public JsonRpc(String targetPrefix, String contentType, Map<String, Operation> operations) {
        this.targetPrefix = targetPrefix;
        this.contentType = contentType;
        this.operations = Map.copyOf(operations);
    }

    public AwsResponse handle(AwsRequest request) {
        try {
            String target = request.header("x-amz-target");
            if (target == null || !target.startsWith(targetPrefix + ".")) {
                throw new AwsException(400, "UnknownOperationException",
                        "X-Amz-Target must name an operation as " + targetPrefix + ".<Operation>, not " + target);
            }
            Operation operation = operations.get(target.substring(targetPrefix.length() + 1));
            if (operation == null) {
                throw new AwsException(400, "UnknownOperationException",
                        target + " is not an operation of this local service");
            }
            JsonNode input = parse(request.body());
            JsonNode output = operation.apply(input);
            return AwsResponse.of(200, contentType, JSON.writeValueAsString(output == null ? JSON.createObjectNode() : output));
        } catch (AwsException e) {
            return error(e);
        } catch (Exception e) {
            return error(new AwsException(500, "InternalFailure", e.toString()));
        }
    }

    private static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode input = JSON.readTree(body);
            if (!input.isObject()) {
                throw new AwsException(400, "SerializationException", "the request body must be a JSON object");
            }
            return input;
        } catch (JsonProcessingException e) {
            throw new AwsException(400, "SerializationException",
                    "the request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new AwsException(400, "SerializationException", "the request body cannot be read: " + e.getMessage());
        }
    }

    public static AwsResponse error(AwsException e) {
        ObjectNode body = JSON.createObjectNode().put("__type", e.code()).put("message", e.getMessage());
        try {
            return new AwsResponse(e.status(), CONTENT_TYPE, JSON.writeValueAsBytes(body),
                    Map.of("x-amzn-ErrorType", e.code()));
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
