package dev.stratus.cloud.transform;

/** Ends a transform job as Failed; the message becomes its FailureReason. */
final class TransformFailure extends RuntimeException {
    TransformFailure(String reason) {
        super(reason);
    }
}
