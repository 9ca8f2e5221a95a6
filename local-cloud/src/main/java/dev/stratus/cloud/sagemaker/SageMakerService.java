package dev.stratus.cloud.sagemaker;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.JsonRpc;

/**
 * The SageMaker API (awsJson1_1, {@code X-Amz-Target: SageMaker.<Operation>}): the operations
 * of each feature (training jobs; models and endpoint configurations; endpoints; transform jobs) behind one
 * signing name. SageMaker Runtime shares that name; the router sends it the /endpoints/ paths.
 */
public final class SageMakerService implements AwsService {

    private final JsonRpc rpc;

    @SafeVarargs
    public SageMakerService(Map<String, JsonRpc.Operation>... features) {
        Map<String, JsonRpc.Operation> operations = new LinkedHashMap<>();
        for (Map<String, JsonRpc.Operation> feature : features) {
            operations.putAll(feature);
        }
        this.rpc = new JsonRpc("SageMaker", operations);
    }

    @Override
    public String signingName() {
        return "sagemaker";
    }

    @Override
    public AwsResponse handle(AwsRequest request) {
        return rpc.handle(request);
    }
}
