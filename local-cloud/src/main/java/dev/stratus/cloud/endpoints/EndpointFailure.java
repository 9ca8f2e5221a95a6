package dev.stratus.cloud.endpoints;

/** Ends a deployment: its message becomes the endpoint's FailureReason. */
final class EndpointFailure extends RuntimeException {
    EndpointFailure(String reason) {
        super(reason);
    }
}
