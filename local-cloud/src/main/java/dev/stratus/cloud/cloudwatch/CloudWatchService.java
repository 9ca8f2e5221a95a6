package dev.stratus.cloud.cloudwatch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.JsonRpc;
import dev.stratus.cloud.server.QueryRpc;

/**
 * The CloudWatch API (signing name "monitoring"): the operations of each feature (metrics; alarms) behind one endpoint,
 * as SageMakerService does for SageMaker's features. They speak awsQuery, as the AWS SDK for Java and older AWS CLIs
 * do; botocore 1.3x and later (the AWS CLI v1, boto3) send awsJson1_0 ({@code X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>}), which {@link JsonShapes} turns into the same operations' awsQuery form.
 * JSON errors carry the awsQuery code in {@code x-amzn-query-error}, as CloudWatch's awsQueryCompatible trait says.
 */
public final class CloudWatchService implements AwsService {

    private static final String XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private static final String JSON_TARGET_PREFIX = "GraniteServiceVersion20100801";

    private final QueryRpc rpc;
    private final JsonRpc json;

    @SafeVarargs
    public CloudWatchService(Map<String, QueryRpc.Operation>... features) {
        Map<String, QueryRpc.Operation> operations = new LinkedHashMap<>();
        for (Map<String, QueryRpc.Operation> feature : features) {
            operations.putAll(feature);
        }
        rpc = new QueryRpc(XML_NAMESPACE, operations);
        Map<String, JsonRpc.Operation> jsonOperations = new LinkedHashMap<>();
        operations.forEach((name, operation) -> {
            JsonShapes shapes = new JsonShapes(name);
            jsonOperations.put(name, input -> shapes.output(operation.apply(shapes.parameters(input))));
        });
        json = new JsonRpc(JSON_TARGET_PREFIX, "application/x-amz-json-1.0", jsonOperations);
    }

    @Override
    public String signingName() {
        return "monitoring";
    }

    @Override
    public AwsResponse handle(AwsRequest request) {
        boolean isJson = speaksJson(request.headers());
        if ("gzip".equalsIgnoreCase(request.header("content-encoding"))) {
            // The SDKs gzip PutMetricData bodies of 10 KB and more (the operation's requestCompression trait).
            try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
                request = new AwsRequest(request.method(), request.path(), request.rawQuery(), request.headers(),
                        gzip.readAllBytes(), request.scope());
            } catch (IOException e) {
                AwsException corrupt = new AwsException(400, isJson ? "SerializationException" : "MalformedQueryString",
                        "The gzip request body is corrupt: " + e.getMessage());
                return isJson ? queryCompatible(JsonRpc.error(corrupt)) : QueryRpc.error(corrupt);
            }
        }
        return isJson ? queryCompatible(json.handle(request)) : rpc.handle(request);
    }

    /** A JSON error with its awsQuery code and fault in x-amzn-query-error ("ResourceNotFound;Sender"). */
    private static AwsResponse queryCompatible(AwsResponse response) {
        String code = response.headers().get("x-amzn-ErrorType");
        if (code == null) {
            return response;
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("x-amzn-query-error", code + ";" + (response.status() >= 500 ? "Receiver" : "Sender"));
        return new AwsResponse(response.status(), response.contentType(), response.body(), headers);
    }

    /** The router's errors (a bad signature, say) in the request's protocol, which the clients parse. */
    @Override
    public AwsResponse error(AwsException e, Map<String, List<String>> headers) {
        return speaksJson(headers) ? queryCompatible(JsonRpc.error(e)) : QueryRpc.error(e);
    }

    /** awsJson requests name their operation in X-Amz-Target; awsQuery ones in the form's Action. */
    private static boolean speaksJson(Map<String, List<String>> headers) {
        return headers.containsKey("x-amz-target");
    }
}
