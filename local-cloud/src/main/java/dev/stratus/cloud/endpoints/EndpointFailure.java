package dev.stratus.cloud.endpoints;

/** Ends a deployment (or a transform job's start): its message becomes the endpoint's (or job's) FailureReason. */
public final class EndpointFailure extends RuntimeException {
    EndpointFailure(String reason) {
        super(reason);
    }
}
