package dev.stratus.cloud.sts;

import java.util.List;
import java.util.Map;

import dev.stratus.cloud.CloudHome;
import dev.stratus.cloud.server.AwsException;
import dev.stratus.cloud.server.AwsRequest;
import dev.stratus.cloud.server.AwsResponse;
import dev.stratus.cloud.server.AwsService;
import dev.stratus.cloud.server.QueryRpc;

/**
 * STS, just {@code GetCallerIdentity}: what the SageMaker SDK asks to name the default bucket
 * {@code sagemaker-<region>-<account>}, as on AWS.
 */
public final class StsService implements AwsService {

    private final QueryRpc rpc;

    public StsService(String accessKeyId) {
        this.rpc = new QueryRpc("https://sts.amazonaws.com/doc/2011-06-15/", Map.of(
                "GetCallerIdentity", parameters -> "<Arn>arn:aws:iam::" + CloudHome.ACCOUNT_ID + ":user/stratus</Arn>"
                        + "<UserId>" + accessKeyId + "</UserId><Account>" + CloudHome.ACCOUNT_ID + "</Account>"));
    }

    @Override
    public String signingName() {
        return "sts";
    }

    @Override
    public AwsResponse handle(AwsRequest request) {
        return rpc.handle(request);
    }

    @Override
    public AwsResponse error(AwsException e, Map<String, List<String>> headers) {
        return QueryRpc.error(e);
    }
}
