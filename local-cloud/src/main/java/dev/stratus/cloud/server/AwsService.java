package dev.stratus.cloud.server;

import java.util.List;
import java.util.Map;

/** One AWS service on the local endpoint, told apart by the signing name in a request's credential scope. */
public interface AwsService {

    /** The service name in SigV4 credential scopes: "sagemaker", "logs", "monitoring", "sts". */
    String signingName();

    /**
     * Whether this service answers requests for {@code path}. Services that share a signing name split the paths
     * between them (SageMaker Runtime takes {@code /endpoints/...}, the SageMaker API the rest); the router asks them in
     * the order they were given.
     */
    default boolean serves(String path) {
        return true;
    }

    AwsResponse handle(AwsRequest request) throws Exception;

    /**
     * An error in the protocol shape of the request it answers, whose {@code headers} tell the shape where a service
     * speaks more than one (awsJson by default; awsQuery services answer XML).
     */
    default AwsResponse error(AwsException e, Map<String, List<String>> headers) {
        return JsonRpc.error(e);
    }
}
