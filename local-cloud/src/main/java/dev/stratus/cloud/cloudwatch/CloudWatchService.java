package dev.stratus.cloud.cloudwatch;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.QueryRpc;

/**
 * The CloudWatch API (awsQuery, signing name "monitoring"): the operations of each feature (metrics; alarms) behind
 * one endpoint, as SageMakerService does for SageMaker's features.
 */
public final class CloudWatchService implements AwsService {

    private static final String XML_NAMESPACE = "http://monitoring.amazonaws.com/doc/2010-08-01/";

    private final QueryRpc rpc;

    @SafeVarargs
    public CloudWatchService(Map<String, QueryRpc.Operation>... features) {
        Map<String, QueryRpc.Operation> operations = new LinkedHashMap<>();
        for (Map<String, QueryRpc.Operation> feature : features) {
            operations.putAll(feature);
        }
        rpc = new QueryRpc(XML_NAMESPACE, operations);
    }

    @Override
    public String signingName() {
        return "monitoring";
    }

    @Override
    public AwsResponse handle(AwsRequest request) {
        if (!"gzip".equalsIgnoreCase(request.header("content-encoding"))) {
            return rpc.handle(request);
        }
        // The SDKs gzip PutMetricData bodies of 10 KB and more (the operation's requestCompression trait).
        try (InputStream gzip = new GZIPInputStream(new ByteArrayInputStream(request.body()))) {
            return rpc.handle(new AwsRequest(request.method(), request.path(), request.rawQuery(), request.headers(),
                    gzip.readAllBytes(), request.scope()));
        } catch (IOException e) {
            return error(new AwsException(400, "MalformedQueryString", "The gzip request body is corrupt: " + e.getMessage()));
        }
    }

    /** The router's errors (a bad signature, say) in CloudWatch's awsQuery XML as well, which the clients parse. */
    @Override
    public AwsResponse error(AwsException e) {
        return QueryRpc.error(e);
    }
}
