package dev.stratus.cloud.server;

/** One AWS service on the local endpoint, told apart by the signing name in a request's credential scope. */
public interface AwsService {

    /** The service name in SigV4 credential scopes: "sagemaker", "logs", "monitoring", "sts". */
    String signingName();

    AwsResponse handle(AwsRequest request) throws Exception;

    /** An error in this service's protocol shape (awsJson by default; awsQuery services answer XML). */
    default AwsResponse error(AwsException e) {
        return JsonRpc.error(e);
    }
}
